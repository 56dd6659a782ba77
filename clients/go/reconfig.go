package paddock

import (
	"context"
	"strconv"
	"strings"

	"github.com/paddock-dev/paddock/clients/go/internal/pb"
)

// AnyConfig as fromConfig: change whatever configuration is current.
const AnyConfig int64 = -1

// IncrementalReconfig changes the ensemble's members as ZooKeeperAdmin.reconfigure does: joining
// are "server.N=host:quorumPort:electionPort[:participant|:observer];[clientHost:]clientPort"
// lines, leaving are server ids. fromConfig is the configuration's version (the hex "version="
// of /zookeeper/config, parsed) the change applies to, or AnyConfig. The server needs
// reconfigEnabled=true and the session the super user (or WRITE on /zookeeper/config); it
// returns /zookeeper/config after the change, as text and Stat.
func (c *Client) IncrementalReconfig(ctx context.Context, joining, leaving []string, fromConfig int64) ([]byte, *Stat, error) {
	return c.reconfig(ctx, &pb.ReconfigRequest{
		JoiningServers: strings.Join(joining, ","),
		LeavingServers: strings.Join(leaving, ","),
		CurConfigId:    &fromConfig,
	})
}

// Reconfig replaces the ensemble's members with members (server lines), as IncrementalReconfig.
func (c *Client) Reconfig(ctx context.Context, members []string, fromConfig int64) ([]byte, *Stat, error) {
	return c.reconfig(ctx, &pb.ReconfigRequest{NewMembers: strings.Join(members, ","), CurConfigId: &fromConfig})
}

func (c *Client) reconfig(ctx context.Context, req *pb.ReconfigRequest) ([]byte, *Stat, error) {
	r, err := c.do(ctx, &pb.Request{Op: &pb.Request_Reconfig{Reconfig: req}}, nil)
	if err != nil {
		return nil, nil, err
	}
	return r.GetReconfig().GetData(), statFromPB(r.GetReconfig().GetStat()), nil
}

// ConfigVersion reads the "version=" line of a /zookeeper/config text (hex), the fromConfig a
// conditional reconfig passes; ok is false if the text has none.
func ConfigVersion(config []byte) (version int64, ok bool) {
	for _, line := range strings.Split(string(config), "\n") {
		if hex, found := strings.CutPrefix(line, "version="); found {
			v, err := strconv.ParseUint(hex, 16, 64)
			return int64(v), err == nil
		}
	}
	return 0, false
}
