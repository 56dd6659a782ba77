package dev.paddock.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A loopback TCP forwarder that can cut every connection and refuse new ones ("partition") and
 * heal again, to make a client lose its server without stopping the server; or freeze the open
 * connections into half-open ones (both sockets open, nothing forwarded, not even a close), as a
 * dead peer or a dropped route leaves them, while later connections are forwarded as usual.
 */
public final class TcpProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int targetPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile boolean partitioned;
  private volatile boolean closed;
  // Replaced by freeze(): the pumps of the connections open before it see it set.
  private volatile AtomicBoolean frozen = new AtomicBoolean();
  // Counted down (and replaced) by partition(): frozen pumps then let their sockets go.
  private volatile CountDownLatch cut = new CountDownLatch(1);

  public TcpProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "tcp-proxy-accept");
    t.setDaemon(true);
    t.start();
  }

  public String address() {
    return "127.0.0.1:" + listener.getLocalPort();
  }

  /** Cuts every connection now; new ones are closed as soon as accepted. */
  public void partition() {
    partitioned = true;
    for (Socket s : sockets) {
      closeQuietly(s);
    }
    sockets.clear();
    CountDownLatch now = cut;
    cut = new CountDownLatch(1);
    now.countDown();
  }

  public void heal() {
    partitioned = false;
  }

  /** Open connections stop carrying bytes either way but stay open until partition or close. */
  public void freeze() {
    AtomicBoolean now = frozen;
    frozen = new AtomicBoolean();
    now.set(true);
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        if (partitioned) {
          closeQuietly(client);
          continue;
        }
        Socket upstream;
        try {
          upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        } catch (IOException e) {
          // The server is down: the client sees its connection closed at once, not a silent one.
          closeQuietly(client);
          continue;
        }
        sockets.add(client);
        sockets.add(upstream);
        AtomicBoolean freeze = frozen;
        CountDownLatch release = cut;
        pump(client, upstream, freeze, release);
        pump(upstream, client, freeze, release);
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private void pump(Socket from, Socket to, AtomicBoolean freeze, CountDownLatch release) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[16384];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) != -1 && !freeze.get()) {
                  out.write(buf, 0, n);
                  out.flush();
                }
                if (freeze.get()) {
                  // Silent and open, even when a peer closes: nothing more is read or forwarded
                  // until partition() or close() lets the sockets go.
                  release.await();
                }
              } catch (IOException e) {
                // connection cut
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "tcp-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    partition();
    listener.close();
  }
}
