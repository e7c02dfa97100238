"""Test harness: starts a real server binary on a free port and stops it by its own PID.

The binary comes from $KIBITZ_BIN_DIR (default: build/asan/bin under the repo root). It is run as
`<bin> --port 0 ...args` and must print `listening on http://HOST:PORT` on stdout once it accepts
connections. Every wait here has a cap that turns a hang into a clear failure; nothing sleeps to
wait for a timer.
"""

import os
import re
import signal
import subprocess
import threading

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
LISTENING = re.compile(r'listening on (http://([^\s:/]+):(\d+))')
START_CAP_S = 10.0
STOP_CAP_S = 10.0


def bin_dir():
    """Where the server binaries live; a relative KIBITZ_BIN_DIR is taken from the repo root."""
    return os.path.join(REPO_ROOT, os.environ.get('KIBITZ_BIN_DIR', 'build/asan/bin'))


class Server:
    """One running server process; use start_server() to make one."""

    def __init__(self, name, proc, url, stderr_lines):
        self.name = name
        self.proc = proc
        self.url = url
        self.port = int(url.rsplit(':', 1)[1])
        self._stderr_lines = stderr_lines

    def stderr(self):
        return ''.join(self._stderr_lines)

    def stop(self):
        """Sends SIGTERM to this PID only and waits for the exit; SIGKILL after the cap."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=STOP_CAP_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError('%s did not exit within %ss of SIGTERM\nstderr:\n%s'
                               % (self.name, STOP_CAP_S, self.stderr()))


def _drain(stream, sink):
    for line in iter(stream.readline, ''):
        sink.append(line)
    stream.close()


def start_server(name, args=()):
    """Starts `name` with `--port 0` and `args`; returns once it prints its listening line."""
    path = os.path.join(bin_dir(), name)
    if not os.path.exists(path):
        raise RuntimeError('server binary not found: %s (set KIBITZ_BIN_DIR)' % path)
    proc = subprocess.Popen([path, '--port', '0', *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stderr_lines = []
    threading.Thread(target=_drain, args=(proc.stderr, stderr_lines), daemon=True).start()

    found = {}
    listening = threading.Event()
    stdout_lines = []

    def read_stdout():
        for line in iter(proc.stdout.readline, ''):
            stdout_lines.append(line)
            m = LISTENING.search(line)
            if m and not listening.is_set():
                found['url'] = m.group(1)
                listening.set()
        proc.stdout.close()
        listening.set()  # EOF: the process ended or closed stdout

    threading.Thread(target=read_stdout, daemon=True).start()
    if not listening.wait(START_CAP_S) or 'url' not in found:
        proc.kill()
        proc.wait()
        raise RuntimeError('%s: no listening line within %ss (exit %s)\nstdout:\n%s\nstderr:\n%s'
                           % (name, START_CAP_S, proc.returncode, ''.join(stdout_lines),
                              ''.join(stderr_lines)))
    return Server(name, proc, found['url'], stderr_lines)
