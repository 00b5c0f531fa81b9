#!/bin/sh
# Unloads rpi_wdt and loads it back by the device's modalias (as coldplug does), N times; the device must
# be unbound while the module is out and bound again after each load.
set -e
cycles=${1:-10}
dev=$(basename "$(ls -d /sys/bus/platform/drivers/rpi_wdt/*.watchdog)")
alias=$(cat "/sys/bus/platform/devices/$dev/modalias")
i=0
while [ "$i" -lt "$cycles" ]; do
	rmmod rpi_wdt
	[ ! -e "/sys/bus/platform/devices/$dev/driver" ] || { echo "cycle $i: still bound after rmmod"; exit 1; }
	modprobe "$alias"
	[ -e "/sys/bus/platform/drivers/rpi_wdt/$dev" ] || { echo "cycle $i: not bound after modprobe $alias"; exit 1; }
	[ -c /dev/rpi-wdt-ctl ] || { echo "cycle $i: no /dev/rpi-wdt-ctl"; exit 1; }
	i=$((i + 1))
done
echo "$cycles rmmod/modprobe cycles via alias $alias"
