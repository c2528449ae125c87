# The Kindling image: the driver (`serve`) and the executors (`executor`) run from it.
#
# Node 24 runs the TypeScript sources directly (type stripping is on by default since Node 23.6), so
# the image needs no build step and no devDependencies: the project's pinned `node` devDependency only
# gives developers that same Node 24; here the base image is it. `npm ci --omit=dev` installs exactly
# the runtime packages of package-lock.json.
FROM node:24-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY bin ./bin
COPY src ./src
# The CLI's `tpch` command and the sample database's schema live beside src/.
COPY tpch ./tpch

# Spill files and map outputs (an emptyDir in the pods); the warehouse is a volume mounted by the pods.
RUN mkdir -p /tmp/kindling /data/warehouse && chown node:node /tmp/kindling /data/warehouse
USER node

EXPOSE 15432
ENTRYPOINT ["node", "--max-semi-space-size=16", "/app/src/cli/main.ts"]
CMD ["serve", "--host", "0.0.0.0", "--warehouse", "/data/warehouse"]
