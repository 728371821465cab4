#!/bin/sh
# The proxy service's command in the image: fill in the template's variables, as the nginx
# image's entrypoint would, and run nginx in the foreground (tini passes SIGTERM on to it).
set -eu
: "${UPSTREAM:?set UPSTREAM to the web service, host:port}"
LISTEN_PORT=${LISTEN_PORT:-8080}
# The container's own DNS servers, as the official image's local-resolvers script finds them.
NGINX_LOCAL_RESOLVERS=${NGINX_LOCAL_RESOLVERS:-$(awk '/^nameserver/ { print ($2 ~ ":") ? "[" $2 "]" : $2 }' /etc/resolv.conf | xargs)}
: "${NGINX_LOCAL_RESOLVERS:?no nameserver in /etc/resolv.conf}"
mkdir -p /tmp/nginx
sed -e "s|\${UPSTREAM}|$UPSTREAM|g" -e "s|\${LISTEN_PORT}|$LISTEN_PORT|g" \
  -e "s|\${NGINX_LOCAL_RESOLVERS}|$NGINX_LOCAL_RESOLVERS|g" \
  /app/deploy/nginx/templates/default.conf.template > /tmp/nginx/default.conf
exec nginx -e stderr -c /app/deploy/nginx/nginx.conf -g 'daemon off;'
