"""A network fault between a client and the real broker: a TCP relay on 127.0.0.1 that passes
every byte through, except that on its first `cuts` connections it closes both sides as soon as
the client sends a SUBSCRIBE or UNSUBSCRIBE (the broker never answers it). This is the moment a
takeover or a broker restart can hit; the relay makes it happen every time, not once in a
thousand runs. No MQTT is answered here: every reply comes from the broker."""
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


class LinkCutter:
    """Listens on a free port; `port` is where the client connects instead of the broker's."""

    def __init__(self, broker_port, cuts=1):
        self.broker_port = int(broker_port)
        self.cuts_left = cuts
        self.cut = 0  # connections cut so far
        self.connections = 0
        self._lock = threading.Lock()
        self._sockets = []
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.port = str(self._listener.getsockname()[1])
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()
        on_clean_up(f"link cutter on port {self.port}", self.close)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Stops accepting and closes every relayed connection; True if it was still open."""
        with self._lock:
            was_open = not self._closed
            self._closed = True
            sockets, self._sockets = self._sockets, []
        for s in [self._listener] + sockets:
            self._shut(s)
        return was_open

    @staticmethod
    def _shut(s):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()

    def _accept(self):
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            broker = socket.create_connection(("127.0.0.1", self.broker_port))
            with self._lock:
                if self._closed:
                    self._shut(client)
                    self._shut(broker)
                    return
                self.connections += 1
                cut_this = self.cuts_left > 0
                self.cuts_left -= 1 if cut_this else 0
                self._sockets += [client, broker]
            threading.Thread(target=self._pump, args=(client, broker, cut_this),
                             daemon=True).start()
            threading.Thread(target=self._pump, args=(broker, client, False), daemon=True).start()

    def _pump(self, source, target, cut_on_subscribe):
        pending = bytearray()
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if cut_on_subscribe:
                    pending += data
                    if any(k in (_SUBSCRIBE, _UNSUBSCRIBE) for k in _packet_types(pending)):
                        with self._lock:
                            self.cut += 1
                        break
                target.sendall(data)
        except OSError:
            pass
        for s in (source, target):
            self._shut(s)
