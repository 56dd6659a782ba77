package dev.paddock.client;

import com.google.protobuf.ByteString;
import java.util.List;
import paddock.v1.Data;

/** One operation of an atomic {@link PaddockClient#multi multi}. Version -1 means any version. */
public final class Op {
  private final Data.Op proto;
  private final String path;

  private Op(Data.Op proto, String path) {
    this.proto = proto;
    this.path = path;
  }

  public static Op create(String path, byte[] data, List<Acl> acl, CreateMode mode) {
    return new Op(Data.Op.newBuilder().setCreate(Protos.createRequest(path, data, acl, mode, 0)).build(), path);
  }

  public static Op create(String path, byte[] data, List<Acl> acl, CreateMode mode, long ttlMs) {
    return new Op(
        Data.Op.newBuilder().setCreate(Protos.createRequest(path, data, acl, mode, ttlMs)).build(),
        path);
  }

  /** A persistent node open to everyone. */
  public static Op create(String path, byte[] data) {
    return create(path, data, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
  }

  public static Op delete(String path, int version) {
    Data.DeleteRequest.Builder b = Data.DeleteRequest.newBuilder().setPath(path);
    if (version != -1) {
      b.setVersion(version);
    }
    return new Op(Data.Op.newBuilder().setDelete(b).build(), path);
  }

  public static Op setData(String path, byte[] data, int version) {
    Data.SetDataRequest.Builder b =
        Data.SetDataRequest.newBuilder().setPath(path).setData(ByteString.copyFrom(data));
    if (version != -1) {
      b.setVersion(version);
    }
    return new Op(Data.Op.newBuilder().setSetData(b).build(), path);
  }

  /** Fails the multi unless the node exists with this version (-1: exists at all). */
  public static Op check(String path, int version) {
    Data.CheckRequest.Builder b = Data.CheckRequest.newBuilder().setPath(path);
    if (version != -1) {
      b.setVersion(version);
    }
    return new Op(Data.Op.newBuilder().setCheck(b).build(), path);
  }

  public String path() {
    return path;
  }

  Data.Op toProto() {
    return proto;
  }

  @Override
  public String toString() {
    return proto.getOpCase() + " " + path;
  }
}
