"""A loopback TCP proxy that can cut a connection after N bytes from the server.

TLS passes through untouched, so the client talks real TLS to the real Dovecot; the proxy only
decides when the wire goes dead, which is exactly what a flaky network does.
"""

from __future__ import annotations

import socket
import struct
import threading


class CutProxy:
    def __init__(self, target_port: int, cut_after: int | None = None, cuts: int = 1,
                 stall: bool = False, upstream_cut_after: int | None = None,
                 on_connection: int | None = None) -> None:
        self.target_port = target_port
        self.cut_after = cut_after  # server->client bytes before the cut, per connection
        self.cuts_left = cuts
        self.stall = stall  # at the limit, stop forwarding but keep the socket open (a hang)
        self.upstream_cut_after = upstream_cut_after  # client->server bytes before a cut
        self.on_connection = on_connection  # only this connection (1-based) is cut
        self.upstream_bytes: list[int] = []  # client->server bytes per connection
        self.connections = 0
        self.cut_count = 0
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._closed = True
        self._listener.close()

    def __enter__(self) -> CutProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self.connections += 1
                index = self.connections
                self.upstream_bytes.append(0)
                chosen = self.on_connection in (None, index)
                limit = self.cut_after if self.cuts_left > 0 and chosen else None
                up_limit = self.upstream_cut_after if self.cuts_left > 0 and chosen else None
                if limit is not None or up_limit is not None:
                    self.cuts_left -= 1
            threading.Thread(target=self._pipe, args=(client, server, up_limit, index),
                             daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, limit), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, limit: int | None,
              upstream: int | None = None) -> None:
        sent = 0
        try:
            while True:
                data = src.recv(16384)
                if not data:
                    break
                if limit is not None and sent + len(data) > limit:
                    dst.sendall(data[: max(0, limit - sent)])
                    with self._lock:
                        self.cut_count += 1
                    if self.stall:
                        while src.recv(16384):  # swallow everything, answer nothing
                            pass
                    break
                dst.sendall(data)
                sent += len(data)
                if upstream is not None:
                    self.upstream_bytes[upstream - 1] = sent
        except OSError:
            pass
        finally:
            for s in (src, dst):
                _reset(s)


def _reset(sock: socket.socket) -> None:
    """Close with RST, as a dropped NAT mapping or a dead peer looks to the client."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RD)  # wakes the other direction's thread blocked in recv
    except OSError:
        pass
    sock.close()
