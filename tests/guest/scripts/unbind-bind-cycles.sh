#!/bin/sh
# Unbinds and rebinds the rpi_wdt device N times; both nodes must vanish and come back each time.
set -e
cycles=${1:-20}
drv=/sys/bus/platform/drivers/rpi_wdt
dev=$(basename "$(ls -d $drv/*.watchdog)")
i=0
while [ "$i" -lt "$cycles" ]; do
	echo "$dev" > $drv/unbind
	[ ! -e /dev/rpi-wdt ] && [ ! -e /dev/rpi-wdt-ctl ] || { echo "cycle $i: nodes still present after unbind"; exit 1; }
	echo "$dev" > $drv/bind
	[ -c /dev/rpi-wdt ] && [ -c /dev/rpi-wdt-ctl ] || { echo "cycle $i: nodes missing after bind"; exit 1; }
	i=$((i + 1))
done
echo "$cycles unbind/bind cycles of $dev"
