// The registry as the Explore page needs it: types with their properties, display labels
// and counts; relation types with their ends. How an entity is named on screen.
import { graphql } from "../../api.js";

export const META_QUERY = `query ExploreTypes {
  entityTypes { name label labelProperty properties { name kind values label } }
  relationTypes { name label from to }
  typeCounts { entities { name count } }
}`;

export const number = (value) => new Intl.NumberFormat().format(value);

export async function loadMeta() {
  const data = await graphql(META_QUERY);
  const counts = new Map(data.typeCounts.entities.map((c) => [c.name, c.count]));
  return {
    types: new Map(data.entityTypes.map((type) =>
      [type.name, { ...type, count: counts.get(type.name) ?? 0 }])),
    relations: new Map(data.relationTypes.map((relation) => [relation.name, relation])),
  };
}

/** "客户 (Customer)" or "Customer": the display label, with the API name beside it. */
export function typeLabel(meta, name) {
  const label = meta.types.get(name)?.label;
  return label ? `${label} (${name})` : name;
}

export const propertyLabel = (property) => property.label || property.name;

/** The text naming an entity: its type's labelProperty, else name/title/label, else key. */
export function entityLabel(meta, entity) {
  const properties = entity.properties || {};
  const chosen = meta.types.get(entity.type)?.labelProperty;
  for (const name of [chosen, "name", "title", "label"]) {
    if (name && typeof properties[name] === "string" && properties[name]) {
      return properties[name];
    }
  }
  return entity.key ?? entity.id.split(":").slice(1).join(":");
}

/** The relation types touching `typeName`, each way: {relation, direction, other}. */
export function movesFrom(meta, typeName) {
  const moves = [];
  for (const relation of meta.relations.values()) {
    if (relation.from === typeName) {
      moves.push({ relation: relation.name, direction: "OUT", other: relation.to });
    }
    if (relation.to === typeName) {
      moves.push({ relation: relation.name, direction: "IN", other: relation.from });
    }
  }
  return moves;
}

export const typeOfId = (id) => id.split(":")[0];

/** A value as shown in a table cell. */
export function cellText(value) {
  if (value === null || value === undefined) {
    return "";
  }
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
