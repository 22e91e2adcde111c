# Campagne Connectée — one portal process per container (docs/deployment.md).
#   docker build -t campagne-connectee .
#   docker run -p 4321:4321 -v portal-data:/data -e PUBLIC_SITE_URL=https://portail.example.org campagne-connectee
# The database (DATABASE_URL=file:/data/portal.db) and the photos live on the /data volume.
# The project's own Node 24 (the `node` devDependency) is this official image's Node 24.

# Build: every dependency, then `astro build` into dist/.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci || npm install
COPY . .
RUN npm run build

# Production dependencies only (sharp's and libSQL's native packages for this platform).
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev || npm install --omit=dev

# Runtime: the built server, and the TypeScript that Node 24 runs as it is (scripts/start.ts,
# db/ with its migrations and open-data files, the src/ modules the scripts import).
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    APP_ENV=production \
    HOST=0.0.0.0 \
    PORT=4321 \
    DATABASE_URL=file:/data/portal.db \
    PHOTOS_DIR=/data/photos
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json astro.config.mjs ./
COPY scripts ./scripts
COPY db ./db
COPY src ./src
# The volume's first mount takes this folder's owner: the unprivileged `node` user.
RUN mkdir -p /data/photos /data/backups && chown -R node:node /data
USER node
VOLUME /data
EXPOSE 4321
# /healthz answers 200 once the database answers and every migration is applied (503
# otherwise). A first start on an empty volume loads the communes: give it minutes.
HEALTHCHECK --interval=30s --timeout=5s --start-period=300s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4321) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "scripts/start.ts"]
