package dev.paddock.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import paddock.v1.Data;
import paddock.v1.Session;

/**
 * How each operation's reply becomes its result (the {@link Pending.Decoder}s of {@link
 * PaddockClient}): the value, or the error it carries as the matching PaddockException.
 */
final class Replies {
  private Replies() {}

  static Object none(Session.Reply r) throws PaddockException {
    Pending.check(r);
    return null;
  }

  static boolean isNoNode(Session.Reply r) {
    return r.hasError() && r.getError().getCodeValue() == ErrorCode.NO_NODE.value();
  }

  static OpResult.CreateResult create(Session.Reply r) throws PaddockException {
    Pending.check(r);
    return new OpResult.CreateResult(r.getCreate().getPath(), Protos.stat(r.getCreate().getStat()));
  }

  /** A missing node is no error here: its stat is null. */
  static Stat exists(Session.Reply r) throws PaddockException {
    if (isNoNode(r)) {
      return null;
    }
    Pending.check(r);
    return r.getExists().hasStat() ? Protos.stat(r.getExists().getStat()) : null;
  }

  static DataResult getData(Session.Reply r) throws PaddockException {
    Pending.check(r);
    return new DataResult(
        r.getGetData().getData().toByteArray(), Protos.stat(r.getGetData().getStat()));
  }

  static DataResult reconfig(Session.Reply r) throws PaddockException {
    Pending.check(r);
    return new DataResult(
        r.getReconfig().getData().toByteArray(), Protos.stat(r.getReconfig().getStat()));
  }

  static Stat setData(Session.Reply r) throws PaddockException {
    Pending.check(r);
    return Protos.stat(r.getSetData().getStat());
  }

  static List<String> getChildren(Session.Reply r) throws PaddockException {
    Pending.check(r);
    return List.copyOf(r.getGetChildren().getChildrenList());
  }

  static int getAllChildrenNumber(Session.Reply r) throws PaddockException {
    Pending.check(r);
    return r.getGetAllChildrenNumber().getNumber();
  }

  static List<String> getEphemerals(Session.Reply r) throws PaddockException {
    Pending.check(r);
    return List.copyOf(r.getGetEphemerals().getPathsList());
  }

  static List<ReadResult> multiRead(Session.Reply r) throws PaddockException {
    Pending.check(r);
    List<ReadResult> out = new ArrayList<>();
    for (Data.ReadOpResult res : r.getMultiRead().getResultsList()) {
      switch (res.getResultCase()) {
        case GET_DATA ->
            out.add(
                new ReadResult.DataRead(
                    res.getGetData().getData().toByteArray(),
                    Protos.stat(res.getGetData().getStat())));
        case GET_CHILDREN ->
            out.add(
                new ReadResult.ChildrenRead(
                    List.copyOf(res.getGetChildren().getChildrenList()),
                    Protos.stat(res.getGetChildren().getStat())));
        default -> out.add(new ReadResult.Failed(Protos.error(res.getError())));
      }
    }
    return out;
  }

  static AclResult getAcl(Session.Reply r) throws PaddockException {
    Pending.check(r);
    return new AclResult(
        Protos.fromProto(r.getGetAcl().getAclList()), Protos.stat(r.getGetAcl().getStat()));
  }

  static Stat setAcl(Session.Reply r) throws PaddockException {
    Pending.check(r);
    return Protos.stat(r.getSetAcl().getStat());
  }

  static String sync(Session.Reply r) throws PaddockException {
    Pending.check(r);
    return r.getSync().getPath();
  }

  /** Every op's result, or the first failure carrying them all. */
  static List<OpResult> multi(Session.Reply r, List<Op> ops) throws PaddockException {
    List<OpResult> results = Protos.opResults(r.getMulti().getResultsList());
    if (r.hasError() && r.getError().getCodeValue() != 0) {
      Data.Error e = r.getError();
      if (e.getPath().isEmpty()) {
        // ZooKeeper names no path here; the failing op's path is more useful.
        e = e.toBuilder().setPath(failingPath(ops, results)).build();
      }
      throw Protos.error(e).withResults(results);
    }
    return results;
  }

  static String failingPath(List<Op> ops, List<OpResult> results) {
    for (int i = 0; i < results.size() && i < ops.size(); i++) {
      if (results.get(i) instanceof OpResult.ErrorResult er
          && er.code() != ErrorCode.OK
          && er.code() != ErrorCode.RUNTIME_INCONSISTENCY) {
        return ops.get(i).path();
      }
    }
    return "";
  }

  static Object removeWatches(Session.Reply r) throws PaddockException {
    // The server may have fired a one-time watch already: locally it was there.
    if (r.hasError() && r.getError().getCodeValue() != ErrorCode.NO_WATCHER.value()) {
      Pending.check(r);
    }
    return null;
  }

  static List<ClientInfo> whoAmI(Session.Reply r) throws PaddockException {
    Pending.check(r);
    List<ClientInfo> out = new ArrayList<>();
    for (Data.ClientInfo ci : r.getWhoAmI().getClientInfoList()) {
      out.add(new ClientInfo(ci.getAuthScheme(), ci.getUser()));
    }
    return List.copyOf(out);
  }

  /** The PaddockException inside a future's failure. */
  static PaddockException unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof PaddockException pe) {
      return pe;
    }
    return new PaddockException(ErrorCode.SYSTEM_ERROR, null, String.valueOf(t));
  }
}
