"""Debian python3-socketio (5.7) against sio-test-server: connect, events both ways, acks both
ways, binary both ways (nested too), the auth payload and a middleware refusal, over polling
only, WebSocket only and the default (polling upgraded to WebSocket)."""

import queue
import unittest

import socketio

from harness import start_server

CAP_S = 5.0
MODES = {
    'polling': (['polling'], 'polling'),
    'websocket': (['websocket'], 'websocket'),
    'default': (None, 'websocket'),  # polling first, then the client upgrades
}


class RecordingClient(socketio.Client):
    """A socketio.Client that queues the arguments of the events it is told to record."""

    def __init__(self):
        super().__init__(request_timeout=CAP_S)
        self.queues = {}

    def record(self, event, namespace='/'):
        q = self.queues.setdefault((event, namespace), queue.Queue())
        self.on(event, lambda *args: q.put(args), namespace=namespace)
        return q

    def next(self, event, namespace='/'):
        try:
            return self.queues[(event, namespace)].get(timeout=CAP_S)
        except queue.Empty:
            raise AssertionError('no %r event within %ss' % (event, CAP_S)) from None


class SocketIOClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = start_server('sio-test-server')

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def connect(self, mode, namespace='/', auth=None, client=None):
        transports, _ = MODES[mode]
        client = client or RecordingClient()
        client.connect(self.server.url, transports=transports, namespaces=[namespace], auth=auth,
                       wait_timeout=CAP_S)
        self.addCleanup(client.disconnect)
        return client

    def call(self, client, event, data=None, namespace='/'):
        return client.call(event, data, namespace=namespace, timeout=CAP_S)

    def test_connects_over_each_transport(self):
        for mode, (_, expected) in MODES.items():
            with self.subTest(mode=mode):
                client = self.connect(mode)
                self.assertEqual(client.transport(), expected)
                me = self.call(client, 'whoami')
                self.assertEqual(me['id'], client.get_sid())
                self.assertEqual(me['nsp'], '/')
                self.assertEqual(me['transport'], expected)

    def test_events_both_ways(self):
        for mode in MODES:
            with self.subTest(mode=mode):
                client = RecordingClient()
                client.record('echo')
                self.connect(mode, client=client)
                client.emit('echo', ('text', 42, {'nested': [True, None, 1.5]}))
                self.assertEqual(client.next('echo'), ('text', 42, {'nested': [True, None, 1.5]}))

    def test_client_ack_answered_by_the_server(self):
        for mode in MODES:
            with self.subTest(mode=mode):
                client = self.connect(mode)
                self.assertEqual(self.call(client, 'echo', ('a', 1)), ('a', 1))
                self.assertEqual(self.call(client, 'echo', {'k': 'v'}), {'k': 'v'})

    def test_server_ack_answered_by_the_client(self):
        for mode in MODES:
            with self.subTest(mode=mode):
                client = RecordingClient()
                client.on('need-ack', lambda *args: ({'got': list(args)}, b'\x09'))
                results = client.record('server-ack-result')
                self.connect(mode, client=client)
                self.call(client, 'server-ack', {'timeout_ms': 2000, 'args': ['q', 1]})
                (result,) = results.get(timeout=CAP_S)
                self.assertEqual(result['err'], '')
                self.assertEqual(result['args'], [{'got': ['q', 1]}, b'\x09'])

    def test_binary_both_ways_nested(self):
        sent = {'buf': bytes([1, 2, 3]), 'list': [bytes([4, 5]), {'deep': bytes(range(256))}],
                'text': 'mixed'}
        for mode in MODES:
            with self.subTest(mode=mode):
                client = RecordingClient()
                client.record('echo')
                self.connect(mode, client=client)
                answer = self.call(client, 'echo', (sent, b'top'))
                self.assertEqual(answer, (sent, b'top'))
                self.assertEqual(client.next('echo'), (sent, b'top'))

    def test_server_made_binary(self):
        for mode in MODES:
            with self.subTest(mode=mode):
                client = RecordingClient()
                client.record('binary')
                self.connect(mode, client=client)
                self.call(client, 'make-binary')
                self.assertEqual(client.next('binary'), (
                    bytes([0, 255, 128]),
                    {'label': 'nested', 'buf': bytes([1, 2, 3]),
                     'list': [bytes([4, 5]), {'deep': bytes([6])}]}))

    def test_auth_payload_reaches_the_handshake(self):
        for mode in MODES:
            with self.subTest(mode=mode):
                client = self.connect(mode, auth={'token': 'abc', 'n': 7})
                hs = self.call(client, 'handshake')
                self.assertEqual(hs['auth'], {'token': 'abc', 'n': 7})
                self.assertEqual(hs['query'].get('EIO'), '4')

    def test_middleware_admits_a_good_token(self):
        for mode in MODES:
            with self.subTest(mode=mode):
                client = self.connect(mode, namespace='/mw', auth={'token': 'good'})
                self.assertEqual(self.call(client, 'whoami', namespace='/mw')['nsp'], '/mw')

    def test_middleware_refusal_reaches_connect_error(self):
        for mode in MODES:
            with self.subTest(mode=mode):
                client = RecordingClient()
                errors = client.record('connect_error', namespace='/mw')
                transports, _ = MODES[mode]
                with self.assertRaises(socketio.exceptions.ConnectionError):
                    client.connect(self.server.url, transports=transports, namespaces=['/mw'],
                                   auth={'token': 'bad'}, wait_timeout=CAP_S)
                self.addCleanup(client.disconnect)
                (data,) = errors.get(timeout=CAP_S)
                self.assertEqual(data, {'message': 'unauthorized', 'data': {'code': 401}})

    def test_two_namespaces_on_one_connection(self):
        for mode in MODES:
            with self.subTest(mode=mode):
                client = RecordingClient()
                transports, _ = MODES[mode]
                client.connect(self.server.url, transports=transports, namespaces=['/a', '/b'],
                               wait_timeout=CAP_S)
                self.addCleanup(client.disconnect)
                self.assertEqual(self.call(client, 'whoami', namespace='/a')['nsp'], '/a')
                self.assertEqual(self.call(client, 'whoami', namespace='/b')['nsp'], '/b')


if __name__ == '__main__':
    unittest.main()
