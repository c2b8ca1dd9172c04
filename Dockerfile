# Switchboard's production image. Not built here (these machines have no Docker engine): see README,
# "Running in production (Docker)".

# Stage 1: the runtime dependencies only (tsx, which runs the TypeScript sources, is one of them).
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Stage 2: the sources on a clean image, run as the unprivileged node user.
FROM node:20-slim
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --chown=node:node package.json package-lock.json tsconfig.json ./
COPY --chown=node:node config ./config
COPY --chown=node:node src ./src
COPY --chown=node:node commands ./commands
COPY --chown=node:node adapters ./adapters
COPY --chown=node:node patches ./patches
COPY --chown=node:node scripts ./scripts
# The embedded database is for laptops: in a container set MONGODB_URI (compose.yaml does).
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000
# The slim image has no curl: Node's own fetch asks /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node runs directly, not under npm: SIGTERM from `docker stop` reaches the bot's clean shutdown.
CMD ["node", "--import", "tsx", "src/main.ts"]
