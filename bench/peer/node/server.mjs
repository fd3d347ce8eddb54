// The peer of bench.peer: the Neo4j GraphQL Library on Apollo Server, one Node process.
// Usage: node server.mjs TYPEDEFS.graphql BOLT_URI PORT   (prints "ready <url>" once serving)
//        node server.mjs TYPEDEFS.graphql --print-schema  (the generated schema, no Neo4j)
import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import { printSchema } from "graphql";
import neo4j from "neo4j-driver";

const [typeDefsPath, uri, port] = process.argv.slice(2);
const typeDefs = readFileSync(typeDefsPath, "utf8");
if (uri === "--print-schema") {
  const schema = await new Neo4jGraphQL({ typeDefs }).getSchema();
  process.stdout.write(printSchema(schema));
  process.exit(0);
}
// tools/neo4j_local runs Neo4j with auth disabled: no credentials
const driver = neo4j.driver(uri, neo4j.auth.none());
const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();
const server = new ApolloServer({ schema });
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port: Number(port) },
});
console.log(`ready ${url}`);
