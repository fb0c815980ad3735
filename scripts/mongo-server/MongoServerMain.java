import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * A MongoDB wire-protocol server for tests and benchmarks (mongo-java-server).
 *
 * <p>Usage: {@code MongoServerMain [--host 127.0.0.1] [--port 0] [--h2 <file>]}. Port 0 picks a free
 * port. Data lives in memory, or with {@code --h2} in an H2 MVStore file that a server started later
 * on the same file reads back (the server-fault tests stop and restart a server this way). Prints {@code LISTENING host:port} once bound, and stops when stdin closes, so
 * that it never outlives the process that started it.
 */
public final class MongoServerMain {
  /**
   * The Node driver 7 refuses servers below wire version 9 (MongoDB 4.4), and even the newest
   * built-in ServerVersion (MONGO_5_0) reports wire version 8, so report 4.4 / wire 9 ourselves:
   * the lowest the driver accepts, so it uses no newer protocol features.
   */
  private static final MongoVersion REPORTED_VERSION =
      new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
          return List.of(4, 4, 0);
        }

        @Override
        public int getWireVersion() {
          return 9;
        }
      };

  public static void main(String[] args) throws IOException {
    String host = "127.0.0.1";
    int port = 0;
    String h2File = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--host" -> host = args[++i];
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--h2" -> h2File = args[++i];
        default -> {
          System.err.println("unknown argument " + args[i] + ": expected --host, --port or --h2");
          System.exit(2);
        }
      }
    }
    // The H2 backend is closed (and its file committed) by shutdownNow in the shutdown hook.
    MongoBackend backend = h2File == null ? new MemoryBackend() : new H2Backend(h2File);
    backend.version(REPORTED_VERSION);
    MongoServer server = new MongoServer(backend);
    // One worker thread: this server does not make a conditional update ({_id, version}) atomic
    // across threads, so concurrent compare-and-set updates could both match. Serialising
    // commands gives the atomicity a real mongod provides per document.
    server.bind(new InetSocketAddress(host, port), 1, 1);
    InetSocketAddress address = server.getLocalAddress();
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
    System.out.println("LISTENING " + address.getHostString() + ":" + address.getPort());
    System.out.flush();
    while (System.in.read() != -1) {
      // Wait for the parent to close stdin (or die).
    }
    System.exit(0);
  }
}
