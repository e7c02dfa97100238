"""Debian python3-socketio (5.7) over TLS against conformance-server: a test CA and a server
certificate made with `openssl req`, the client verifying with the CA (requests for polling,
websocket-client for WebSocket), acks both transports and handshake.secure true; a client
without the CA is refused by its own verification."""

import os
import queue
import shutil
import subprocess
import tempfile
import unittest

import requests
import socketio

from harness import bin_dir

CAP_S = 5.0


def openssl(args, cwd):
    subprocess.run(['openssl', *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def make_pki(directory):
    """ca.pem, server.pem and server.key (EC P-256) for localhost and 127.0.0.1."""
    ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
    openssl(['req', '-x509', *ec, '-keyout', 'ca.key', '-out', 'ca.pem',
             '-subj', '/CN=Kibitz Test CA', '-days', '2'], directory)
    with open(os.path.join(directory, 'ext.cnf'), 'w') as f:
        f.write('subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n')
    openssl(['req', *ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'],
            directory)
    openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key',
             '-set_serial', '1001', '-days', '2', '-extfile', 'ext.cnf', '-out', 'server.pem'],
            directory)


class TlsServer:
    """conformance-server with --tls-cert/--tls-key; its https port from the listening line."""

    def __init__(self, directory):
        path = os.path.join(bin_dir(), 'conformance-server')
        self.proc = subprocess.Popen(
            [path, '--port', '0', '--tls-cert', os.path.join(directory, 'server.pem'),
             '--tls-key', os.path.join(directory, 'server.key'),
             # Heartbeats are not what this tests: the conformance timing (300 + 200 ms)
             # would close a client whose threads stall for 200 ms on a loaded machine.
             '--ping-interval-ms', '25000', '--ping-timeout-ms', '20000'],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()  # the first line is the listening line
        if 'listening on https://' not in line:
            self.proc.kill()
            raise RuntimeError('no https listening line: %r' % line)
        self.port = int(line.strip().rsplit(':', 1)[1])

    def stop(self):
        self.proc.terminate()
        return self.proc.wait(timeout=10)


class SocketIOOverTlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix='kibitz-tls-py-')
        make_pki(cls.dir)
        cls.server = TlsServer(cls.dir)
        cls.url = 'https://localhost:%d' % cls.server.port

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)
        assert code == 0, 'conformance-server exited with %s' % code

    def client(self, ca_file):
        # python-engineio passes verify=True on every polling request, which overrides the
        # session's own: requests then takes the CA from REQUESTS_CA_BUNDLE. The WebSocket
        # transport reads session.verify (a path: websocket-client's ca_certs).
        if ca_file:
            os.environ['REQUESTS_CA_BUNDLE'] = ca_file
        else:
            os.environ.pop('REQUESTS_CA_BUNDLE', None)
        session = requests.Session()
        session.verify = ca_file or True
        return socketio.Client(http_session=session, request_timeout=CAP_S)

    def tearDown(self):
        os.environ.pop('REQUESTS_CA_BUNDLE', None)

    def check_transport(self, transports, expected):
        c = self.client(os.path.join(self.dir, 'ca.pem'))
        c.connect(self.url, transports=transports, wait_timeout=CAP_S)
        try:
            self.assertEqual(c.transport(), expected)
            answer = c.call('message-with-ack', {'n': 1}, timeout=CAP_S)
            self.assertEqual(answer, {'n': 1})
            self.assertIs(c.call('handshake-secure', timeout=CAP_S), True)
            big = 'y' * 100000
            self.assertEqual(c.call('message-with-ack', big, timeout=CAP_S), big)
        finally:
            c.disconnect()

    def test_polling_over_https(self):
        self.check_transport(['polling'], 'polling')

    def test_websocket_over_wss(self):
        self.check_transport(['websocket'], 'websocket')

    def test_client_without_the_ca_is_refused(self):
        c = self.client(None)  # the system's CAs only: the test CA is unknown
        with self.assertRaises(socketio.exceptions.ConnectionError):
            c.connect(self.url, transports=['polling'], wait_timeout=CAP_S)
        c.disconnect()


if __name__ == '__main__':
    unittest.main()
