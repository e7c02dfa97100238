"""Debian python3-engineio (4.x) against the /engine.io/ echo server of conformance-server:
text and binary round trips over polling only, WebSocket only and polling upgraded to WebSocket,
heartbeats survived, and a silent client closed by the server."""

import queue
import threading
import unittest

import engineio
from engineio import packet

from harness import start_server

CAP_S = 5.0
EIO_PATH = 'engine.io'
MODES = {
    'polling': ['polling'],
    'websocket': ['websocket'],
    'upgrade': None,  # polling first, then the client upgrades to websocket
}


class RecordingClient(engineio.Client):
    """An engineio.Client that queues received messages, counts server pings and can stop
    answering them."""

    def __init__(self):
        super().__init__(request_timeout=CAP_S)
        self.messages = queue.Queue()
        self.disconnected = threading.Event()
        self.pings = 0
        self.ping_target = None
        self.pings_reached = threading.Event()
        self.silent = False
        self.on('message', self.messages.put)
        self.on('disconnect', self.disconnected.set)

    def _receive_packet(self, pkt):
        if pkt.packet_type == packet.PING:
            self.pings += 1
            if self.ping_target is not None and self.pings >= self.ping_target:
                self.pings_reached.set()
        super()._receive_packet(pkt)

    def _send_packet(self, pkt):
        if self.silent and pkt.packet_type == packet.PONG:
            return
        super()._send_packet(pkt)

    def next_message(self):
        try:
            return self.messages.get(timeout=CAP_S)
        except queue.Empty:
            raise AssertionError('no message within %ss' % CAP_S) from None


class EngineIOClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Pings every 300 ms as in the conformance setup, but 2 s for the pong rather than
        # 200: python-engineio answers from a thread, which a loaded machine can stall for
        # longer than 200 ms. Four heartbeats still take 1.2 s and a silent client is closed
        # after 2.3 s, both within CAP_S.
        cls.server = start_server('conformance-server',
                                  ['--ping-interval-ms', '300', '--ping-timeout-ms', '2000'])

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def connect(self, mode):
        client = RecordingClient()
        client.connect(self.server.url, transports=MODES[mode], engineio_path=EIO_PATH)
        self.addCleanup(client.disconnect)
        expected = 'polling' if mode == 'polling' else 'websocket'
        self.assertEqual(client.transport(), expected)
        return client

    def test_text_round_trip(self):
        for mode in MODES:
            with self.subTest(mode=mode):
                client = self.connect(mode)
                client.send('hello')
                self.assertEqual(client.next_message(), 'hello')

    def test_multibyte_text_round_trip(self):
        # python-engineio 4.3 posts polling payloads as str, which http.client encodes as Latin-1
        # (it raises on anything else), so non-ASCII text is only sent over WebSocket.
        for mode in ('websocket', 'upgrade'):
            with self.subTest(mode=mode):
                client = self.connect(mode)
                text = 'héllo € 𝄞 日本語'
                client.send(text)
                self.assertEqual(client.next_message(), text)

    def test_json_text_round_trip(self):
        for mode in MODES:
            with self.subTest(mode=mode):
                client = self.connect(mode)
                client.send({'move': 'e2e4', 'n': [1, 2]})
                self.assertEqual(client.next_message(), {'move': 'e2e4', 'n': [1, 2]})

    def test_binary_round_trip(self):
        for mode in MODES:
            with self.subTest(mode=mode):
                client = self.connect(mode)
                data = bytes(range(256))
                client.send(data)
                echo = client.next_message()
                self.assertIsInstance(echo, bytes)
                self.assertEqual(echo, data)

    def test_large_binary_round_trip(self):
        for mode in MODES:
            with self.subTest(mode=mode):
                client = self.connect(mode)
                data = bytes((i * 31 + 7) & 0xff for i in range(200_000))
                client.send(data)
                self.assertEqual(client.next_message(), data)

    def test_burst_of_text_and_binary_all_echoed(self):
        # python-engineio runs each message handler on its own thread, so arrival order is not
        # observable here (the Node tests check ordering); its payload decoder also refuses more
        # than 16 packets in one polling response, hence a burst of 12.
        for mode in MODES:
            with self.subTest(mode=mode):
                client = self.connect(mode)
                sent = ['text %d' % i for i in range(6)] + [bytes([i, 0, 255]) for i in range(6)]
                for m in sent:
                    client.send(m)
                got = [client.next_message() for _ in sent]
                self.assertEqual(sorted(got, key=repr), sorted(sent, key=repr))

    def test_survives_four_heartbeats(self):
        for mode in MODES:
            with self.subTest(mode=mode):
                client = self.connect(mode)
                client.ping_target = client.pings + 4
                self.assertTrue(client.pings_reached.wait(CAP_S), 'got %d pings' % client.pings)
                self.assertFalse(client.disconnected.is_set())
                client.send('still alive')
                self.assertEqual(client.next_message(), 'still alive')

    def test_server_closes_a_client_that_stops_answering_pings(self):
        for mode in MODES:
            with self.subTest(mode=mode):
                client = self.connect(mode)
                client.silent = True
                self.assertTrue(client.disconnected.wait(CAP_S),
                                'still connected %ss after going silent' % CAP_S)


if __name__ == '__main__':
    unittest.main()
