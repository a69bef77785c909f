# One image for every role: `node --import tsx src/main.ts <bot|worker|all>`.
# TypeScript runs through tsx (a runtime dependency), so there is no build step to drift from the source.

FROM node:22-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# The lock file decides every version; dev tools (typescript, vitest) stay out of the image.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:22-slim
ENV NODE_ENV=production \
    ELK_CONFIG=/etc/elk-ops/elk-ops.yml
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY src ./src
COPY commands ./commands
COPY jobs ./jobs
# The image's own `node` user (uid 1000): nothing here needs root, and the code must not be writable by it.
USER node
EXPOSE 3000
# Only the bot (and `all`) serves HTTP; compose disables this check for workers. node:22-slim has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 and handles SIGTERM itself: workers finish their running step, then exit.
CMD ["node", "--import", "tsx", "src/main.ts", "all"]
