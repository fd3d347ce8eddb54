"""GraphQL documents of the patch-style and batch definition operations, for tests."""

from __future__ import annotations

from tests.api.graphql import RESULT_FIELDS

TYPE_FIELDS = """
    schemaVersion
    entityType { name label description labelProperty
                 properties { name kind required default values label description } }
    relationType { name label from to properties { name kind label } }
"""
ADD_PROPERTY = f"""
mutation Add($type: String!, $property: PropertySpecInput!) {{
  addProperty(type: $type, property: $property) {{
    {RESULT_FIELDS}
    ... on TypeDefinitionPayload {{ {TYPE_FIELDS} }}
  }}
}}"""
ALTER_PROPERTY = ADD_PROPERTY.replace("addProperty", "alterProperty")
DROP_PROPERTY = f"""
mutation Drop($type: String!, $name: String!) {{
  dropProperty(type: $type, name: $name) {{
    {RESULT_FIELDS}
    ... on TypeDefinitionPayload {{ {TYPE_FIELDS} }}
  }}
}}"""
ALTER_TYPE_DETAILS = f"""
mutation Details($input: TypeDetailsInput!) {{
  alterTypeDetails(input: $input) {{
    {RESULT_FIELDS}
    ... on TypeDefinitionPayload {{ {TYPE_FIELDS} }}
  }}
}}"""
ALTER_RELATION_TYPE = f"""
mutation Alter($input: RelationTypeInput!) {{
  alterRelationType(input: $input) {{
    {RESULT_FIELDS}
    ... on RelationTypePayload {{
      schemaVersion relationType {{ name label properties {{ name }} }}
    }}
  }}
}}"""
DROP_ENTITY_TYPE = f"""
mutation Drop($name: String!) {{
  dropEntityType(name: $name) {{
    {RESULT_FIELDS}
    ... on DroppedTypePayload {{ schemaVersion name }}
  }}
}}"""
DROP_RELATION_TYPE = DROP_ENTITY_TYPE.replace("dropEntityType", "dropRelationType")
PREVIEW = """
query Preview($operations: [DefinitionOperationInput!]!) {
  previewDefinitions(operations: $operations) {
    currentVersion version
    refusals { code message path }
    schemaChanges { name change added removed sdl }
  }
}"""
HISTORY = """
query History($first: Int, $after: String) {
  definitionHistory(first: $first, after: $after) {
    totalCount
    edges { cursor node { version step kind name actor at before after } }
    pageInfo { hasNextPage endCursor }
  }
}"""
