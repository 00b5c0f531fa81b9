#!/usr/bin/env python3
"""TEST DOUBLE, not a power switch: stands in for a network PDU in the local labgrid lab.

It answers labgrid's `simplerest` NetworkPowerPort protocol on 127.0.0.1, and each outlet "powers" one
emulated Raspberry Pi 3 (scripts/qemu.sh, raspi3b): switching the outlet on starts that QEMU guest,
switching it off kills it, as pulling a board's plug would. A guest that resets reboots in place, as a
board does; one that powers itself off ends its QEMU, and its outlet reads 0.

    GET /outlet/<index>/1    power on (start the guest; nothing if it runs)
    GET /outlet/<index>/0    power off (kill the guest; nothing if it is off)
    GET /outlet/<index>      "1" or "0"
    GET /hang-on-reset/<index>
        test hook, no PDU has it: the guest's next reset freezes it (QMP set-action reboot=shutdown,
        shutdown=pause), as a board that hangs in reset, so that only a power cycle brings it back

Each guest forwards 127.0.0.1:<ssh-port> to its SSH server (labgrid's NetworkService) and serves its
console on 127.0.0.1:<serial-port> as raw TCP (a NetworkSerialPort), with every boot's console also in
<state>/outlet-<index>-console.log. Every switching is logged to stdout with a timestamp.

Usage: qemu-power-double.py --listen PORT --state DIR --initramfs FILE
                            --outlet INDEX:SSH-PORT:SERIAL-PORT [--outlet ...]
"""

import argparse
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

PROJECT_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
# What the HIL runner's own qemu:rpi3 target boots with (tests/testkit/src/console.rs), plus the network.
KERNEL_ARGS = ["rpiwdt.quiet", "loglevel=4", "kunit.autorun=0", "rpiwdt.net"]


def log(message):
    print(f"{time.strftime('%H:%M:%S')} power-double: {message}", flush=True)


class Outlet:
    """One outlet and the guest behind it."""

    def __init__(self, index, ssh_port, serial_port, state, initramfs):
        self.index = index
        self.ssh_port = ssh_port
        self.serial_port = serial_port
        self.state = state
        self.initramfs = initramfs
        self.process = None
        self.lock = threading.Lock()

    def qmp_path(self):
        return os.path.join(self.state, f"outlet-{self.index}-qmp.sock")

    def is_on(self):
        return self.process is not None and self.process.poll() is None

    def power_on(self):
        with self.lock:
            if self.is_on():
                return
            console = os.path.join(self.state, f"outlet-{self.index}-console.log")
            extra = " ".join([
                f"-netdev user,id=n0,hostfwd=tcp:127.0.0.1:{self.ssh_port}-:22 -device usb-net,netdev=n0",
                f"-chardev socket,id=con0,host=127.0.0.1,port={self.serial_port},server=on,wait=off,"
                f"logfile={console},logappend=on",
                f"-qmp unix:{self.qmp_path()},server=on,wait=off",
            ])
            env = dict(os.environ, QEMU_ALLOW_REBOOT="1", QEMU_TIMEOUT="86400", QEMU_SERIAL="chardev:con0",
                       QEMU_EXTRA_ARGS=extra)
            out = open(os.path.join(self.state, f"outlet-{self.index}-qemu.log"), "ab")
            self.process = subprocess.Popen(
                ["bash", os.path.join(PROJECT_ROOT, "scripts/qemu.sh"), "rpi3", self.initramfs, *KERNEL_ARGS],
                env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
            log(f"outlet {self.index}: on (QEMU pid {self.process.pid}, ssh 127.0.0.1:{self.ssh_port}, "
                f"console 127.0.0.1:{self.serial_port})")

    def power_off(self):
        with self.lock:
            if not self.is_on():
                self.process = None
                return
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.process = None
            log(f"outlet {self.index}: off (QEMU killed)")

    def hang_on_reset(self):
        """Makes the guest's next reset freeze it; raises if the guest is off or QMP fails."""
        if not self.is_on():
            raise RuntimeError(f"outlet {self.index} is off")
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(10)
            s.connect(self.qmp_path())
            reader = s.makefile("r")
            reader.readline()  # the greeting
            for command in ({"execute": "qmp_capabilities"},
                            {"execute": "set-action", "arguments": {"reboot": "shutdown", "shutdown": "pause"}}):
                s.sendall(json.dumps(command).encode() + b"\n")
                while True:
                    reply = json.loads(reader.readline())
                    if "return" in reply:
                        break
                    if "error" in reply:
                        raise RuntimeError(f"QMP {command['execute']}: {reply['error'].get('desc')}")
        log(f"outlet {self.index}: the guest will hang at its next reset")


def handler_for(outlets):
    class Handler(http.server.BaseHTTPRequestHandler):
        def reply(self, code, body):
            data = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            parts = self.path.strip("/").split("/")
            try:
                outlet = outlets[int(parts[1])] if len(parts) >= 2 else None
            except (ValueError, KeyError):
                outlet = None
            if outlet is None:
                return self.reply(404, f"no such outlet: {self.path}\n")
            try:
                if parts[0] == "outlet" and len(parts) == 2:
                    return self.reply(200, "1" if outlet.is_on() else "0")
                if parts[0] == "outlet" and len(parts) == 3 and parts[2] in ("0", "1"):
                    outlet.power_on() if parts[2] == "1" else outlet.power_off()
                    return self.reply(200, parts[2])
                if parts[0] == "hang-on-reset" and len(parts) == 2:
                    outlet.hang_on_reset()
                    return self.reply(200, "armed\n")
            except (OSError, RuntimeError, ValueError) as e:
                return self.reply(500, f"{e}\n")
            return self.reply(404, f"unknown request: {self.path}\n")

        def log_message(self, format, *args):
            pass

    return Handler


def outlet_spec(text):
    try:
        index, ssh_port, serial_port = (int(x) for x in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected INDEX:SSH-PORT:SERIAL-PORT")
    return index, ssh_port, serial_port


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", type=int, required=True, help="the HTTP port on 127.0.0.1")
    parser.add_argument("--state", required=True, help="where QMP sockets and guest logs go")
    parser.add_argument("--initramfs", required=True, help="what the guests boot (out/initramfs.cpio)")
    parser.add_argument("--outlet", type=outlet_spec, action="append", required=True)
    args = parser.parse_args()
    if not os.path.isfile(args.initramfs):
        sys.exit(f"power-double: {args.initramfs}: no such file (run 'make rootfs')")
    os.makedirs(args.state, exist_ok=True)
    outlets = {i: Outlet(i, ssh, serial, args.state, os.path.abspath(args.initramfs))
               for i, ssh, serial in args.outlet}

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.listen), handler_for(outlets))

    def stop(signum, frame):
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log(f"listening on 127.0.0.1:{args.listen} with outlets {sorted(outlets)}")
    try:
        server.serve_forever()
    finally:
        for outlet in outlets.values():
            outlet.power_off()
        log("stopped, every guest off")


if __name__ == "__main__":
    main()
