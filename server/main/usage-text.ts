/**
 * Every server-side command's usage, apart from the commands themselves: `paddock help` and
 * `--help` load this file only, not the server (loading grpc-js, OpenTelemetry and the rest costs
 * most of a second on a busy machine).
 */

export const paddockUsage = `usage: paddock <command> [args]     (paddock <command> --help for each one's options)
  server            start a server
  ensemble          start and supervise a local ensemble, one process per member
  cli               zkCli-compatible shell: paddock cli -server host:port [command]
  purge             remove old snapshots and logs: paddock purge [--config zoo.cfg | --data-dir D] [-n 3]
  backup            copy a member's snapshot and log into a directory, consistent while it runs
  restore           put a backup into a new member's data directory
  log dump F        print the transactions of a log segment
  snapshot inspect F  print a snapshot's zxid, counts, digest and sessions (--tree: its nodes)
  bench             load generator
  version           the version, and whether it runs compiled JavaScript or the TypeScript sources`;

export const serverUsage = `usage: paddock server [--config zoo.cfg] [--port N] [--host ADDR] [--data-dir DIR]
                      [--ready-file FILE] [--truncate-at-damage] [--set key=value]...
  With no arguments: embedded defaults (clientPort 2181, data under ./data).
  --set takes any zoo.cfg key and applies after the file.
  --truncate-at-damage starts even when the log is damaged before its tail, cutting it there.`;

export const ensembleUsage = `usage: paddock ensemble [--size N] [--observers K] [--dir D] [--base-port P] [--quorum-port Q]
                        [--admin-port A] [--metrics-port M] [--no-restart]
  Starts and supervises a local pseudo-cluster: N voting members (1, 3 or 5; default 3; up to 9)
  plus K observers, one server process each, data under D/member-<id> (default ./ensemble),
  client ports P.. (default 2181), quorum ports Q+id (default Q=2888), election ports Q+1000+id,
  AdminServer ports A.. (default 8080) and /metrics ports M.. (default 7000); 0 for any free port.
  Each member's line shows its pid. A member that dies is restarted after 1 s, doubling up to 30 s
  while it keeps dying within 10 s of starting (--no-restart: report it, leave it down).
  SIGINT, SIGTERM, SIGHUP or SIGQUIT stops every member (a second one kills them); members also
  stop if this process is killed with SIGKILL. An existing D is reused (members keep their data).`;

export const purgeUsage = `usage: paddock purge [--config zoo.cfg | --data-dir DIR] [--set key=value]... [-n COUNT]
  Removes old snapshots and log segments, as ZooKeeper's PurgeTxnLog: keeps the newest COUNT
  snapshots (at least 3, default 3) and every log segment needed to replay from the oldest kept one.
  Fails when the data or log directory does not exist.`;

export const backupUsage = `usage: paddock backup (--from HOST:ADMINPORT | --data-dir DIR [--data-log-dir DIR] | --config zoo.cfg) --to DIR
  Copies the newest snapshot and the log after it into a new directory DIR, while the member runs,
  and checks the copy as a start would (snapshot digest, log). With --from the member (on this
  machine) names its directories and its applied zxid on the AdminServer and the log is cut there:
  use it for an ensemble member, whose log may end in proposals not committed yet. --data-dir
  copies everything logged: a stopped member or a standalone server.`;

export const restoreUsage = `usage: paddock restore --from BACKUP (--data-dir DIR [--data-log-dir DIR] | --config zoo.cfg)
  Checks the backup, then copies it into a new member's directories (they must hold no snapshot,
  log or epoch file). A new ensemble: restore the same backup into every member, then start them.`;

export const logDumpUsage = `usage: paddock log dump [--hex] [--json] <log segment file>
  One line per transaction: zxid, session, cxid, time, type, path and data (quoted text when it is
  printable UTF-8, 0x-hex otherwise), then how the segment's data ends (clean, torn or corrupt).
  --hex   data always as hex
  --json  one JSON object per transaction on stdout; the closing summary goes to stderr`;

export const snapshotInspectUsage = `usage: paddock snapshot inspect [--tree] [--json] [--hex] <snapshot file>
  The snapshot's zxid, node and ACL counts, its digest (recorded, and recomputed from the nodes:
  exit 1 when they differ) and its sessions.
  --tree  every node in path order: version, cversion, aversion, ephemeral owner, children, mzxid,
          data length and the first bytes of its data
  --json  the same as one JSON object
  --hex   data previews always as hex`;
