"""A TCP relay between a client and a real broker that can hold back what the client sends and
then cut the connection, so acknowledgements the client sent never reach the broker (a network
fault, as when a link drops). The broker and the client are the real programs."""
import selectors
import socket
import threading

from harness import on_clean_up


class CuttableRelay:
    """Listens on 127.0.0.1 (a free port) and relays each connection to 127.0.0.1:target."""

    def __init__(self, target_port):
        self.target = target_port
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.holding = threading.Event()  # while set, client bytes are kept, not forwarded
        self.held = 0
        self.forwarded_from_clients = 0  # bytes clients sent that reached the broker
        self.pairs = []
        self.lock = threading.Lock()
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()
        on_clean_up(f"relay on port {self.port}", self.close)

    def hold(self):
        """From now on, what the client sends (PUBACKs, pings) is kept back."""
        self.holding.set()

    def cut(self):
        """Closes every relayed connection at once; what was held is never sent. New
        connections are relayed normally."""
        with self.lock:
            pairs, self.pairs = self.pairs, []
            self.holding.clear()
        for client, server in pairs:
            for s in (client, server):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def close(self):
        running = not self.closed
        self.closed = True
        self.cut()
        self.listener.close()
        return False if not running else False

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target))
            with self.lock:
                self.pairs.append((client, server))
            threading.Thread(target=self._relay, args=(client, server), daemon=True).start()

    def _relay(self, client, server):
        sel = selectors.DefaultSelector()
        sel.register(client, selectors.EVENT_READ, server)
        sel.register(server, selectors.EVENT_READ, client)
        try:
            while True:
                for key, _ in sel.select(timeout=0.5):
                    data = key.fileobj.recv(65536)
                    if not data:
                        return
                    if key.fileobj is client and self.holding.is_set():
                        self.held += len(data)
                        continue
                    key.data.sendall(data)
                    if key.fileobj is client:
                        self.forwarded_from_clients += len(data)
        except (OSError, ValueError):
            return
        finally:
            sel.close()
