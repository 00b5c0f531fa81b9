#!/bin/sh
# While rpi_wdt's watchdog node is open, unloading the module must be refused; once the node is closed,
# it unloads and loads again. Opening the node arms the watchdog, so it is always closed with the magic
# character ('V'), also when a check fails, and must be stopped afterwards.
# Usage: rmmod-while-open.sh [NODE]   (default: rpi_wdt's /dev/watchdogN, /dev/watchdog0 when it loaded first)
set -- /sys/bus/platform/drivers/rpi_wdt/*.watchdog "$@"
[ -e "$1" ] || { echo "no device bound to rpi_wdt"; exit 1; }
dev=${1##*/}
shift
set -- /sys/bus/platform/devices/"$dev"/watchdog/watchdog* "$@"
[ -e "$1" ] || { echo "rpi_wdt's $dev has no watchdog"; exit 1; }
wdt=${1##*/}
node=${2:-/dev/$wdt}
# Without this check a missing node would become a regular file.
[ -c "$node" ] || { echo "$node is not a character device"; exit 1; }
read -r state < "/sys/class/watchdog/$wdt/state"
[ "$state" = inactive ] || { echo "$wdt is $state already: something holds it"; exit 1; }

exec 3>"$node" || { echo "cannot open $node"; exit 1; }
failure=
read -r state < "/sys/class/watchdog/$wdt/state"
[ "$state" = active ] || failure="opening $node did not arm $wdt"
if rmmod rpi_wdt 2>/dev/null; then
	failure="rmmod succeeded while $node was open"
elif ! grep -q '^rpi_wdt ' /proc/modules; then
	failure="module gone although rmmod failed"
fi
printf V >&3 || failure=${failure:-"the magic close write to $node failed"}
exec 3>&-
[ -z "$failure" ] || { echo "$failure"; exit 1; }
read -r state < "/sys/class/watchdog/$wdt/state"
[ "$state" = inactive ] || { echo "magic close did not stop $wdt ($state)"; exit 1; }
rmmod rpi_wdt || { echo "rmmod failed after close"; exit 1; }
modprobe rpi_wdt || exit 1
[ -c "/dev/$wdt" ] || { echo "no /dev/$wdt after modprobe"; exit 1; }
echo "rmmod refused while $node was open, accepted after magic close"
