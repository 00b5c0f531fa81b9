#!/usr/bin/env python3
"""Prints, as one JSON object, how the HIL runner reaches an acquired labgrid place: its NetworkService
(the board's SSH server) and its serial console (a NetworkSerialPort, which is also what an exporter
makes of a RawSerialPort or USBSerialPort through ser2net), either null where the place has none.

It reads them through labgrid's library interface: an environment with a RemotePlace resource, whose
resources are the place's, as labgrid-client and pytest's --lg-env see them. The place must be acquired
by this user (LG_USERNAME/LG_HOSTNAME, as labgrid-client); the coordinator comes from LG_COORDINATOR.

Usage: place-info.py PLACE     (run with labgrid's Python: the venv scripts/setup.sh installs)
"""

import json
import os
import sys
import tempfile

from labgrid import Environment
from labgrid.exceptions import NoResourceFoundError
from labgrid.resource import NetworkSerialPort, NetworkService


def one(target, cls):
    try:
        return target.get_resource(cls, wait_avail=False)
    except NoResourceFoundError:
        return None


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    place = sys.argv[1]
    config = {"targets": {"main": {"resources": {"RemotePlace": {"name": place}}}}}
    coordinator = os.environ.get("LG_COORDINATOR")
    if coordinator:
        config["options"] = {"coordinator_address": coordinator}
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="rpi-wdt-place-") as env_file:
        # JSON is YAML: no YAML writer needed.
        json.dump(config, env_file)
        env_file.flush()
        target = Environment(config_file=env_file.name).get_target("main")
        ssh = one(target, NetworkService)
        serial = one(target, NetworkSerialPort)
        print(json.dumps({
            "ssh": ssh and {"address": ssh.address, "port": ssh.port, "username": ssh.username},
            "serial": serial and {"host": serial.host, "port": serial.port, "protocol": serial.protocol},
        }))


if __name__ == "__main__":
    main()
