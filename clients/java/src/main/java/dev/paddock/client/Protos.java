package dev.paddock.client;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import paddock.v1.Data;

/** Conversions between the wire's generated messages and the public value types. */
final class Protos {
  private Protos() {}

  static Data.CreateRequest createRequest(
      String path, byte[] data, List<Acl> acl, CreateMode mode, long ttlMs) {
    Data.CreateRequest.Builder b =
        Data.CreateRequest.newBuilder()
            .setPath(path)
            .setData(data == null ? ByteString.EMPTY : ByteString.copyFrom(data))
            .setModeValue(mode.value())
            .setTtl(ttlMs);
    if (acl != null) {
      for (Acl a : acl) {
        b.addAcl(toProto(a));
      }
    }
    return b.build();
  }

  static Data.ACL toProto(Acl a) {
    return Data.ACL.newBuilder()
        .setPerms(a.perms())
        .setId(Data.Id.newBuilder().setScheme(a.scheme()).setId(a.id()))
        .build();
  }

  static List<Data.ACL> toProto(List<Acl> acl) {
    List<Data.ACL> out = new ArrayList<>(acl.size());
    for (Acl a : acl) {
      out.add(toProto(a));
    }
    return out;
  }

  static List<Acl> fromProto(List<Data.ACL> acl) {
    List<Acl> out = new ArrayList<>(acl.size());
    for (Data.ACL a : acl) {
      out.add(new Acl(a.getPerms(), a.getId().getScheme(), a.getId().getId()));
    }
    return List.copyOf(out);
  }

  static Stat stat(Data.Stat s) {
    return new Stat(
        s.getCzxid(),
        s.getMzxid(),
        s.getCtime(),
        s.getMtime(),
        s.getVersion(),
        s.getCversion(),
        s.getAversion(),
        s.getEphemeralOwner(),
        s.getDataLength(),
        s.getNumChildren(),
        s.getPzxid());
  }

  static PaddockException error(Data.Error e) {
    return PaddockException.create(ErrorCode.fromValue(e.getCodeValue()), e.getPath(), e.getMessage());
  }

  static OpResult opResult(Data.OpResult r) {
    return switch (r.getResultCase()) {
      case CREATE ->
          new OpResult.CreateResult(r.getCreate().getPath(), stat(r.getCreate().getStat()));
      case DELETE -> new OpResult.DeleteResult();
      case SET_DATA -> new OpResult.SetDataResult(stat(r.getSetData().getStat()));
      case CHECK -> new OpResult.CheckResult();
      case ERROR ->
          new OpResult.ErrorResult(
              ErrorCode.fromValue(r.getError().getCodeValue()),
              r.getError().getPath(),
              r.getError().getMessage());
      case RESULT_NOT_SET ->
          new OpResult.ErrorResult(ErrorCode.SYSTEM_ERROR, "", "empty op result");
    };
  }

  static List<OpResult> opResults(List<Data.OpResult> results) {
    List<OpResult> out = new ArrayList<>(results.size());
    for (Data.OpResult r : results) {
      out.add(opResult(r));
    }
    return List.copyOf(out);
  }
}
