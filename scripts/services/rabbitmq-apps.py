"""Prints the directories (under PLUGINS_DIR) of the given RabbitMQ applications and of every
application they need, one a line: scripts/services/rabbitmq links only those into its node's
plugins directory. Applications not found there (Erlang/OTP's own) are left out.
Usage: python3 rabbitmq-apps.py PLUGINS_DIR APP..."""
import os
import re
import sys

plugins, todo = sys.argv[1], sys.argv[2:]
dirs = {}
for name in os.listdir(plugins):
    m = re.match(r"(.+?)-\d[\w.]*$", name)
    if m and os.path.isdir(os.path.join(plugins, name)):
        dirs[m.group(1)] = name
wanted = set()
while todo:
    app = todo.pop()
    if app in wanted or app not in dirs:
        continue
    wanted.add(app)
    with open(os.path.join(plugins, dirs[app], "ebin", app + ".app")) as f:
        deps = re.search(r"\{applications,\s*\[([^\]]*)\]", f.read())
    todo += re.findall(r"\w+", deps.group(1)) if deps else []
print("\n".join(sorted(dirs[a] for a in wanted)))
