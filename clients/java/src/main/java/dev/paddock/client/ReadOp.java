package dev.paddock.client;

import paddock.v1.Data;

/** One read of a {@link PaddockClient#multiRead}: {@link #getData} or {@link #getChildren}. */
public final class ReadOp {
  private final Data.ReadOp proto;
  private final String path;

  private ReadOp(Data.ReadOp proto, String path) {
    this.proto = proto;
    this.path = path;
  }

  public static ReadOp getData(String path) {
    return new ReadOp(
        Data.ReadOp.newBuilder().setGetData(Data.GetDataRequest.newBuilder().setPath(path)).build(),
        path);
  }

  public static ReadOp getChildren(String path) {
    return new ReadOp(
        Data.ReadOp.newBuilder()
            .setGetChildren(Data.GetChildrenRequest.newBuilder().setPath(path))
            .build(),
        path);
  }

  public String path() {
    return path;
  }

  Data.ReadOp toProto() {
    return proto;
  }
}
