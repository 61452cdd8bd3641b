#!/bin/sh
echo "payments $*"
