#!/bin/sh
# Print the path of a Python 3.10 interpreter: python3.10 on PATH, else pyenv's.
# Exit 1 with a message naming what to install when there is none.
for candidate in python3.10 "$(pyenv prefix 3.10 2>/dev/null)/bin/python3.10" \
                 "$(pyenv root 2>/dev/null)/versions/3.10.13/bin/python3.10"; do
  if [ -n "$candidate" ] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    command -v "$candidate" 2>/dev/null || echo "$candidate"
    exit 0
  fi
done
for dir in "$HOME"/.pyenv/versions/3.10*; do
  if [ -x "$dir/bin/python3.10" ]; then echo "$dir/bin/python3.10"; exit 0; fi
done
echo "error: Python 3.10 is required (Rasa 3.6 supports 3.8-3.10). Install it, e.g. 'pyenv install 3.10.13' or 'apt-get install python3.10 python3.10-venv'." >&2
exit 1
