#!/bin/sh
# While a file of the driver is open, unloading it must be refused; once closed, it unloads and reloads.
exec 3</dev/rpi-wdt-ctl
if rmmod rpi_wdt 2>/dev/null; then
	echo "rmmod succeeded while /dev/rpi-wdt-ctl was open"
	exit 1
fi
grep -q '^rpi_wdt ' /proc/modules || { echo "module gone although rmmod failed"; exit 1; }
exec 3<&-
rmmod rpi_wdt || { echo "rmmod failed after close"; exit 1; }
modprobe rpi_wdt || exit 1
echo "rmmod refused while open, accepted after close"
