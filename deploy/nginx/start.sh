#!/bin/sh
# The proxy service's command in the image: fill in the template's variables, as the nginx
# image's entrypoint would, and run nginx in the foreground (tini passes SIGTERM on to it).
set -eu
: "${UPSTREAM:?set UPSTREAM to the web service, host:port}"
LISTEN_PORT=${LISTEN_PORT:-8080}
UPLOAD_MAX_BODY=${UPLOAD_MAX_BODY:-1m}
# The container engine's DNS server: the first nameserver, which knows the services' names
# (Docker's 127.0.0.11, podman's aardvark-dns). Only that one: nginx asks its resolvers in
# turn, and a later one (the host's) would answer that "web" does not exist.
NGINX_LOCAL_RESOLVERS=${NGINX_LOCAL_RESOLVERS:-$(awk '/^nameserver/ { print ($2 ~ ":") ? "[" $2 "]" : $2; exit }' /etc/resolv.conf)}
: "${NGINX_LOCAL_RESOLVERS:?no nameserver in /etc/resolv.conf}"
mkdir -p /tmp/nginx
sed -e "s|\${UPSTREAM}|$UPSTREAM|g" -e "s|\${LISTEN_PORT}|$LISTEN_PORT|g" \
  -e "s|\${NGINX_LOCAL_RESOLVERS}|$NGINX_LOCAL_RESOLVERS|g" \
  -e "s|\${UPLOAD_MAX_BODY}|$UPLOAD_MAX_BODY|g" \
  /app/deploy/nginx/templates/default.conf.template > /tmp/nginx/default.conf
exec nginx -e stderr -c /app/deploy/nginx/nginx.conf -g 'daemon off;'
