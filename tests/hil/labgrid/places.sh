#!/bin/sh
# Creates the places for exporter-bench.yaml's boards, once, on the coordinator LG_COORDINATOR names.
# Tags are what CI asks for: `rpi-wdt-hil --target labgrid:board=rpi4` takes any free Pi 4.
set -e
place() { # NAME BOARD
	labgrid-client -p "$1" create
	labgrid-client -p "$1" add-match "bench1/$1/*"
	labgrid-client -p "$1" set-tags board="$2" lab=bench1
}
place rpi3-1 rpi3
place rpi4-1 rpi4
place rpi4-2 rpi4
labgrid-client places
