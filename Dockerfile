# syntax=docker/dockerfile:1
# Hookline: one image for every role. Build: docker build -t hookline .
# Run: docker run … hookline api | worker | migrate | cli <command…>   (see README, "Deploying")

# Dependencies are installed without lifecycle scripts, as everywhere in this project: code
# generation (Prisma client, gRPC contract) is done by scripts/prepare.js.
ARG NODE_IMAGE=node:20.20-bookworm-slim

# --- build: all dependencies, then the project's own build (generated code, apps, libs, web UI)
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV npm_config_ignore_scripts=true
COPY . .
RUN --mount=type=cache,target=/root/.npm npm run build

# --- production dependencies only
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# --- runtime: compiled output, production node_modules, migrations; owned by root, run as node
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY prisma/migrations ./prisma/migrations
COPY deploy/docker-entrypoint.sh ./deploy/docker-entrypoint.sh
# uid:gid of the image's `node` user, numeric so Kubernetes can verify runAsNonRoot
USER 1000:1000
EXPOSE 3000 50051
ENTRYPOINT ["/app/deploy/docker-entrypoint.sh"]
CMD ["api"]
