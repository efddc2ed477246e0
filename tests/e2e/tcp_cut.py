"""A TCP relay between a client and a real broker that can hold back what the client sends and
then cut the connection, so acknowledgements the client sent never reach the broker (a network
fault, as when a link drops), or cut a connection as soon as the client sends SUBSCRIBE (the
moment a takeover or a broker restart can hit, made to happen every time). The broker and the
client are the real programs; no MQTT is answered here."""
import selectors
import socket
import threading

from harness import on_clean_up

_SUBSCRIBE, _UNSUBSCRIBE = 8, 10


def _packet_types(buffer):
    """Yields the type of each whole MQTT packet at the start of buffer (a bytearray), removing
    it; a packet not yet complete stays in the buffer."""
    while len(buffer) >= 2:
        length, shift, pos = 0, 0, 1
        while True:
            if pos >= len(buffer):
                return
            byte = buffer[pos]
            length |= (byte & 0x7F) << shift
            pos += 1
            if byte < 0x80:
                break
            shift += 7
        if len(buffer) < pos + length:
            return
        kind = buffer[0] >> 4
        del buffer[:pos + length]
        yield kind


class CuttableRelay:
    """Listens on 127.0.0.1 (a free port) and relays each connection to 127.0.0.1:target; the
    first `cut_at_subscribe` connections are closed (both sides) when the client sends SUBSCRIBE
    or UNSUBSCRIBE, which the broker then never gets."""

    def __init__(self, target_port, cut_at_subscribe=0):
        self.target = target_port
        self.cuts_left = cut_at_subscribe
        self.cut_at_subscribe = 0  # connections cut so far at a SUBSCRIBE
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
                watch = self.cuts_left > 0
                self.cuts_left -= 1 if watch else 0
            threading.Thread(target=self._relay, args=(client, server, watch),
                             daemon=True).start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _relay(self, client, server, cut_at_subscribe):
        sel = selectors.DefaultSelector()
        sel.register(client, selectors.EVENT_READ, server)
        sel.register(server, selectors.EVENT_READ, client)
        pending = bytearray()  # client bytes not yet parsed into whole packets
        try:
            while True:
                for key, _ in sel.select(timeout=0.5):
                    data = key.fileobj.recv(65536)
                    if not data:
                        return
                    if key.fileobj is client and self.holding.is_set():
                        self.held += len(data)
                        continue
                    if key.fileobj is client and cut_at_subscribe:
                        pending += data
                        if any(k in (_SUBSCRIBE, _UNSUBSCRIBE) for k in _packet_types(pending)):
                            with self.lock:
                                self.cut_at_subscribe += 1
                            for s in (client, server):
                                s.shutdown(socket.SHUT_RDWR)
                            return
                    key.data.sendall(data)
                    if key.fileobj is client:
                        self.forwarded_from_clients += len(data)
        except (OSError, ValueError):
            return
        finally:
            sel.close()
