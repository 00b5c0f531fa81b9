#!/bin/sh
# Unbinds and rebinds the rpi_wdt device N times. Each unbind must take its watchdog away (the class
# entry /sys/class/watchdog/watchdogN, /dev/watchdogN and, for watchdog0, the legacy /dev/watchdog);
# each bind must bring it back under the same number (a number not freed again would grow every cycle),
# rpi_wdt's and stopped, with its nodes. The loop uses shell builtins only: a fork costs more than a
# cycle under emulation.
set -e
cycles=${1:-20}
drv=/sys/bus/platform/drivers/rpi_wdt
set -- $drv/*.watchdog
[ -e "$1" ] || { echo "no device bound to rpi_wdt"; exit 1; }
dev=${1##*/}
set -- /sys/bus/platform/devices/"$dev"/watchdog/watchdog*
[ -e "$1" ] || { echo "$dev has no watchdog before the first cycle"; exit 1; }
wdt=${1##*/}

# Checks that watchdog $wdt is the device's, rpi_wdt's, stopped, and has its nodes; prints why not.
watchdog_ok() {
	[ -e "/sys/bus/platform/devices/$dev/watchdog/$wdt" ] || { echo "$dev is not $wdt"; return 1; }
	read -r identity < "/sys/class/watchdog/$wdt/identity"
	[ "$identity" = "rpi_wdt BCM2835 PM watchdog" ] || { echo "$wdt is '$identity', not rpi_wdt"; return 1; }
	read -r state < "/sys/class/watchdog/$wdt/state"
	[ "$state" = inactive ] || { echo "$wdt is $state, not stopped"; return 1; }
	[ -c "/dev/$wdt" ] || { echo "no /dev/$wdt"; return 1; }
	[ "$wdt" != watchdog0 ] || [ -c /dev/watchdog ] || { echo "no legacy /dev/watchdog"; return 1; }
}

# Modes and the legacy node's number, before and after the cycles (stat forks).
nodes_ok() {
	[ "$(stat -c '%a %u' "/dev/$wdt")" = "600 0" ] || { echo "/dev/$wdt is $(stat -c '%a %u' "/dev/$wdt")"; return 1; }
	[ "$wdt" != watchdog0 ] || [ "$(stat -c '%t:%T %a %u' /dev/watchdog)" = "a:82 600 0" ] ||
		{ echo "/dev/watchdog is $(stat -c '%t:%T %a %u' /dev/watchdog), not misc 10:130 0600 root"; return 1; }
}

watchdog_ok && nodes_ok || exit 1
i=0
while [ "$i" -lt "$cycles" ]; do
	echo "$dev" > $drv/unbind
	[ ! -e "/sys/class/watchdog/$wdt" ] || { echo "cycle $i: $wdt still registered after unbind"; exit 1; }
	[ ! -e "/dev/$wdt" ] || { echo "cycle $i: /dev/$wdt still present after unbind"; exit 1; }
	[ "$wdt" != watchdog0 ] || [ ! -e /dev/watchdog ] || { echo "cycle $i: /dev/watchdog still present after unbind"; exit 1; }
	echo "$dev" > $drv/bind
	watchdog_ok || { echo "cycle $i: after bind"; exit 1; }
	i=$((i + 1))
done
nodes_ok || exit 1
echo "$cycles unbind/bind cycles of $dev ($wdt)"
