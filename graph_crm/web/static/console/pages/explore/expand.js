// One expansion of the neighbourhood graph: one request for an entity's neighbours along
// every chosen relation type, both ways (aliases n0, n1...), capped per relation with
// each page's cursor kept for a "more" node.
import { graphql } from "../../api.js";
import { movesFrom, typeOfId } from "./meta.js";

const NODE = "edges { node { id type key properties } } pageInfo { hasNextPage endCursor }";

/** The query and variables expanding `id` along `moves` ({relation, direction, after}). */
export function expansionQuery(id, moves, first) {
  const variables = { id, first };
  const declared = ["$id: ID!", "$first: Int!"];
  const fields = moves.map((move, index) => {
    declared.push(`$r${index}: String!`, `$d${index}: Direction!`, `$a${index}: String`);
    Object.assign(variables, { [`r${index}`]: move.relation, [`d${index}`]: move.direction,
      [`a${index}`]: move.after ?? null });
    return `    n${index}: neighbors(relation: $r${index}, direction: $d${index}, first: $first, after: $a${index}) { ${NODE} }`;
  });
  const query = `query ExploreExpand(${declared.join(", ")}) {
  entity(id: $id) {
    id type key properties
    relationCounts { relation direction count }
${fields.join("\n")}
  }
}`;
  return { query, variables };
}

/** The relation moves from `id` that `enabled` allows. */
export function movesOf(meta, id, enabled) {
  return movesFrom(meta, typeOfId(id)).filter((move) => enabled.has(move.relation));
}

/**
 * Expands `id` along `moves`: {counts, pages: [{move, nodes, hasNextPage, endCursor}]}.
 */
export async function expand(id, moves, first) {
  const { query, variables } = expansionQuery(id, moves, first);
  const entity = (await graphql(query, variables)).entity;
  if (!entity) {
    return { entity: null, counts: [], pages: [] };
  }
  return {
    entity,
    counts: entity.relationCounts,
    pages: moves.map((move, index) => ({
      move,
      nodes: entity[`n${index}`].edges.map((edge) => edge.node),
      hasNextPage: entity[`n${index}`].pageInfo.hasNextPage,
      endCursor: entity[`n${index}`].pageInfo.endCursor,
    })),
  };
}
