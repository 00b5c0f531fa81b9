#!/bin/sh
# Unloads rpi_wdt and loads it back by the device's modalias (as coldplug does), N times; the device must
# be unbound and its watchdog gone while the module is out, and bound again after each load under the
# same watchdog number (a number not freed again would grow every cycle), stopped, with its node.
set -e
cycles=${1:-10}
set -- /sys/bus/platform/drivers/rpi_wdt/*.watchdog
[ -e "$1" ] || { echo "no device bound to rpi_wdt"; exit 1; }
dev=${1##*/}
read -r alias < "/sys/bus/platform/devices/$dev/modalias"
set -- /sys/bus/platform/devices/"$dev"/watchdog/watchdog*
[ -e "$1" ] || { echo "$dev has no watchdog before the first cycle"; exit 1; }
wdt=${1##*/}
i=0
while [ "$i" -lt "$cycles" ]; do
	rmmod rpi_wdt
	[ ! -e "/sys/bus/platform/devices/$dev/driver" ] || { echo "cycle $i: still bound after rmmod"; exit 1; }
	if [ -e "/sys/class/watchdog/$wdt" ] || [ -e "/dev/$wdt" ]; then
		echo "cycle $i: $wdt still there after rmmod"
		exit 1
	fi
	modprobe "$alias"
	[ -e "/sys/bus/platform/drivers/rpi_wdt/$dev" ] || { echo "cycle $i: not bound after modprobe $alias"; exit 1; }
	[ -e "/sys/bus/platform/devices/$dev/watchdog/$wdt" ] || { echo "cycle $i: $dev is not $wdt after the load"; exit 1; }
	[ -c "/dev/$wdt" ] || { echo "cycle $i: no /dev/$wdt"; exit 1; }
	read -r state < "/sys/class/watchdog/$wdt/state"
	[ "$state" = inactive ] || { echo "cycle $i: $wdt is $state after the load"; exit 1; }
	i=$((i + 1))
done
echo "$cycles rmmod/modprobe cycles via alias $alias ($wdt)"
