# The managerd daemon as a container: compiled in one stage, production dependencies installed in
# another, and only those two copied into a fresh node:20-bookworm-slim that runs as `node`.
#
#   docker build -t managerd .
#   docker run -p 7400:7400 -v "$PWD/authkey:/run/secrets/managerd_authkey:ro" \
#     -e MANAGERD_AUTHKEY_FILE=/run/secrets/managerd_authkey managerd
#
# The key must come from a secret (MANAGERD_AUTHKEY_FILE) or MANAGERD_AUTHKEY: the image sets
# MANAGERD_REQUIRE_AUTHKEY=1, so a container started without one exits 2 saying so, instead of
# generating a key nobody else knows. Every other setting is a MANAGERD_* variable (README).

# ---- build: TypeScript → dist/ (dev dependencies live and die here) -------------------------
FROM node:20-bookworm-slim AS build
# Only for builders behind a TLS-inspecting proxy: a CA bundle path mounted into the build.
ARG NODE_EXTRA_CA_CERTS
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.json tsconfig.build.json ./
COPY protocol ./protocol
COPY server ./server
COPY client ./client
RUN npm run build

# ---- prod-deps: node_modules without dev dependencies ----------------------------------------
FROM node:20-bookworm-slim AS prod-deps
ARG NODE_EXTRA_CA_CERTS
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

# ---- runtime ---------------------------------------------------------------------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    MANAGERD_HOST=0.0.0.0 \
    MANAGERD_PORT=7400 \
    MANAGERD_REQUIRE_AUTHKEY=1 \
    MANAGERD_DRAIN_TIMEOUT_MS=8000
# (8 s of drain fits inside `docker stop`'s default 10 s before SIGKILL.)
WORKDIR /app
# Owned by root and read-only to the `node` user: the daemon writes nothing when given a key.
COPY package.json ./
COPY --from=prod-deps /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY docker/healthcheck.js docker/worker.js ./docker/
# User types: mount a folder of modules and name them, e.g.
#   -v "$PWD/types:/types:ro" -e MANAGERD_TYPES=/types/counter.js
USER node
EXPOSE 7400
# node, not curl (the slim image has no curl): 200 from /readyz, i.e. listening and not draining.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 CMD ["node", "/app/docker/healthcheck.js"]
# Node is PID 1: managerd handles SIGTERM itself (GOAWAY, drain, exit 0); a second signal exits 1.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/dist/server/daemon/cli.js"]
CMD ["serve"]
