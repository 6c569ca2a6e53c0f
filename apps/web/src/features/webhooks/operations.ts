import { graphql } from "@/gql";

export const WebhookEndpointsQuery = graphql(`
  query WebhookEndpoints {
    webhookEndpoints {
      id
      url
      description
      eventTypes
      active
      hasSecret
      createdAt
      updatedAt
    }
    webhookEventTypes
  }
`);

export const WebhookEndpointDetailQuery = graphql(`
  query WebhookEndpointDetail($id: ID!, $status: DeliveryStatus, $first: Int, $after: String) {
    webhookEndpoint(id: $id) {
      id
      url
      description
      eventTypes
      active
      hasSecret
      createdAt
      updatedAt
      deliveries(status: $status, first: $first, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
          eventId
          eventType
          payload
          status
          attempts
          lastStatusCode
          lastError
          lastAttemptAt
          deliveredAt
          createdAt
          attemptLog {
            id
            statusCode
            error
            durationMs
            createdAt
          }
        }
      }
    }
    webhookEventTypes
  }
`);

export const CreateWebhookEndpointMutation = graphql(`
  mutation CreateWebhookEndpoint($input: CreateWebhookEndpointInput!) {
    createWebhookEndpoint(input: $input) {
      secret
      endpoint {
        id
        url
      }
    }
  }
`);

export const UpdateWebhookEndpointMutation = graphql(`
  mutation UpdateWebhookEndpoint($input: UpdateWebhookEndpointInput!) {
    updateWebhookEndpoint(input: $input) {
      id
      url
      description
      eventTypes
      active
      updatedAt
    }
  }
`);

export const DeleteWebhookEndpointMutation = graphql(`
  mutation DeleteWebhookEndpoint($id: ID!) {
    deleteWebhookEndpoint(id: $id)
  }
`);

export const RotateWebhookSecretMutation = graphql(`
  mutation RotateWebhookSecret($id: ID!) {
    rotateWebhookSecret(id: $id) {
      secret
      endpoint {
        id
        hasSecret
      }
    }
  }
`);

export const PingWebhookEndpointMutation = graphql(`
  mutation PingWebhookEndpoint($id: ID!) {
    pingWebhookEndpoint(id: $id)
  }
`);

export const RedeliverWebhookMutation = graphql(`
  mutation RedeliverWebhook($deliveryId: ID!) {
    redeliverWebhook(deliveryId: $deliveryId) {
      id
      status
      attempts
    }
  }
`);
