"use client";

import { IdcardOutlined } from "@ant-design/icons";
import { Card, Descriptions, Empty, Space, Tag } from "antd";
import type { MyProfileQuery as MyProfile } from "@/gql/graphql";

/** Who you are in Steward: the groups and attributes policies see (from single sign-on claims or set by an admin). */
export function ProfileCard({ user }: { user: NonNullable<MyProfile["me"]>["user"] }) {
  return (
    <Card
      title={
        <span>
          <IdcardOutlined /> Profile
        </span>
      }
      data-testid="profile-card"
    >
      <Descriptions column={1} size="small">
        <Descriptions.Item label="Username">{user.username}</Descriptions.Item>
        <Descriptions.Item label="Name">{user.displayName}</Descriptions.Item>
        <Descriptions.Item label="Email">{user.email}</Descriptions.Item>
        <Descriptions.Item label="Groups">
          {user.groups.length ? (
            <Space wrap aria-label="Your groups">
              {user.groups.map((g) => (
                <Tag key={g.id}>{g.name}</Tag>
              ))}
            </Space>
          ) : (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="No groups" />
          )}
        </Descriptions.Item>
        <Descriptions.Item label="Attributes">
          {user.attributes.length ? (
            <Space orientation="vertical" size={2} aria-label="Your attributes">
              {user.attributes.map((a) => (
                <span key={a.key}>
                  {a.key}: {a.values.join(", ")}
                </span>
              ))}
            </Space>
          ) : (
            "None"
          )}
        </Descriptions.Item>
      </Descriptions>
    </Card>
  );
}
