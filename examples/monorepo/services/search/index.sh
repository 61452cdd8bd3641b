#!/bin/sh
ls /srv/assets
