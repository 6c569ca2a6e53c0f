import { graphql } from "@/gql";

export const PurposeFields = graphql(`
  fragment PurposeFields on Purpose {
    id
    name
    description
    acknowledgement
    acknowledgementVersion
    path
    deleted
    parent {
      id
      name
    }
    updatedAt
  }
`);

export const PurposesQuery = graphql(`
  query Purposes {
    purposes {
      ...PurposeFields
    }
  }
`);

export const CreatePurposeMutation = graphql(`
  mutation CreatePurpose($input: PurposeInput!) {
    createPurpose(input: $input) {
      ...PurposeFields
    }
  }
`);

export const UpdatePurposeMutation = graphql(`
  mutation UpdatePurpose($input: UpdatePurposeInput!) {
    updatePurpose(input: $input) {
      ...PurposeFields
    }
  }
`);

export const DeletePurposeMutation = graphql(`
  mutation DeletePurpose($id: ID!) {
    deletePurpose(id: $id)
  }
`);

export const ProjectSummaryFields = graphql(`
  fragment ProjectSummaryFields on Project {
    id
    name
    description
    status
    owner {
      id
      displayName
    }
    purposes {
      id
      name
    }
    myMembership {
      role
      acknowledged
    }
    updatedAt
  }
`);

export const ProjectsQuery = graphql(`
  query Projects($includeArchived: Boolean) {
    projects(includeArchived: $includeArchived) {
      ...ProjectSummaryFields
      members {
        user {
          id
        }
      }
      dataSources {
        id
      }
    }
  }
`);

export const ProjectMemberFields = graphql(`
  fragment ProjectMemberFields on ProjectMember {
    user {
      id
      username
      displayName
    }
    role
    acknowledged
    acknowledgedAt
    pendingAcknowledgements {
      id
      name
    }
    addedAt
  }
`);

export const ProjectDetailQuery = graphql(`
  query ProjectDetail($id: ID!) {
    project(id: $id) {
      ...ProjectSummaryFields
      createdAt
      purposes {
        id
        name
        description
        acknowledgement
        acknowledgementVersion
        path
      }
      dataSources {
        id
        name
      }
      members {
        ...ProjectMemberFields
      }
      myMembership {
        ...ProjectMemberFields
      }
    }
  }
`);

export const CreateProjectMutation = graphql(`
  mutation CreateProject($input: ProjectInput!) {
    createProject(input: $input) {
      id
    }
  }
`);

export const UpdateProjectMutation = graphql(`
  mutation UpdateProject($input: UpdateProjectInput!) {
    updateProject(input: $input) {
      id
      updatedAt
    }
  }
`);

export const ArchiveProjectMutation = graphql(`
  mutation ArchiveProject($id: ID!) {
    archiveProject(id: $id) {
      id
      status
    }
  }
`);

export const AddProjectMemberMutation = graphql(`
  mutation AddProjectMember($projectId: ID!, $userId: ID!, $role: ProjectRole) {
    addProjectMember(projectId: $projectId, userId: $userId, role: $role) {
      id
      members {
        ...ProjectMemberFields
      }
    }
  }
`);

export const RemoveProjectMemberMutation = graphql(`
  mutation RemoveProjectMember($projectId: ID!, $userId: ID!) {
    removeProjectMember(projectId: $projectId, userId: $userId) {
      id
      members {
        ...ProjectMemberFields
      }
    }
  }
`);

export const AcknowledgeProjectPurposesMutation = graphql(`
  mutation AcknowledgeProjectPurposes($projectId: ID!) {
    acknowledgeProjectPurposes(projectId: $projectId) {
      id
      myMembership {
        ...ProjectMemberFields
      }
      members {
        ...ProjectMemberFields
      }
    }
  }
`);

/** The header's switcher: my projects and the one I act under now. */
export const ProjectSwitcherQuery = graphql(`
  query ProjectSwitcher {
    me {
      currentProject {
        id
        name
      }
    }
    projects {
      id
      name
      status
      myMembership {
        acknowledged
      }
    }
  }
`);

export const SwitchProjectMutation = graphql(`
  mutation SwitchProject($projectId: ID) {
    switchProject(projectId: $projectId) {
      currentProject {
        id
        name
      }
    }
  }
`);
