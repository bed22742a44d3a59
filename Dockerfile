# Multi-stage build on the current Node LTS (26; the service also runs on Node 20.19+): compile with dev dependencies, run with production ones only.
FROM node:26-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:26-bookworm-slim AS runtime
ENV NODE_ENV=production
# Two malloc arenas instead of eight per core: a sending worker's RSS is about 7 MB lower (see "Node heap" in README.md).
ENV MALLOC_ARENA_MAX=2
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY templates ./templates
USER node
EXPOSE 3000
# The heap cap of `npm run start:prod`: see "Node heap" in README.md.
CMD ["node", "--max-old-space-size=128", "--max-semi-space-size=16", "dist/src/main.js"]
