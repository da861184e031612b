//! The words of signing in, roles and revealing personal data, in both languages (kept apart
//! from `strings.rs`, which is long enough already).

use crate::ui::Lang;

pub struct AccessStrings {
    pub sign_in_needed: &'static str,
    pub account_name: &'static str,
    pub passphrase: &'static str,
    pub sign_in: &'static str,
    pub signed_in_as: &'static str,
    pub signed_in_automatically: &'static str,
    pub scope: &'static str,
    pub reveal: &'static str,
    pub reveal_reason: &'static str,
    pub reveal_needs_reason: &'static str,
    pub revealed: &'static str,
    pub not_permitted: &'static str,
    pub tags_hidden: &'static str,
}

static ZH: AccessStrings = AccessStrings {
    sign_in_needed: "此文档设有账户，个人信息已加密：请登录。",
    account_name: "账户",
    passphrase: "口令",
    sign_in: "登录",
    signed_in_as: "已登录：",
    signed_in_automatically: "（演示数据，已自动以管理员登录）",
    scope: "范围",
    reveal: "显示个人信息",
    reveal_reason: "查看原因",
    reveal_needs_reason: "显示个人信息需要填写原因（记入审计日志）",
    revealed: "已显示（原因已记入审计日志）",
    not_permitted: "当前账户的角色无权执行此操作，未改动任何内容",
    tags_hidden: "（当前角色不可见）",
};

static EN: AccessStrings = AccessStrings {
    sign_in_needed: "This document has accounts and its personal data is encrypted: sign in.",
    account_name: "Account",
    passphrase: "Passphrase",
    sign_in: "Sign in",
    signed_in_as: "Signed in:",
    signed_in_automatically: "(demo data: the admin was signed in automatically)",
    scope: "scope",
    reveal: "Reveal personal data",
    reveal_reason: "Reason",
    reveal_needs_reason: "Revealing personal data needs a reason (it goes into the audit log)",
    revealed: "Revealed (the reason is in the audit log)",
    not_permitted: "The signed-in account's role may not do this; nothing was changed",
    tags_hidden: "(not visible to this role)",
};

impl AccessStrings {
    pub fn get(lang: Lang) -> &'static AccessStrings {
        match lang {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    /// A role's name in this language.
    pub fn role(&self, r: crate::model::Role) -> &'static str {
        if std::ptr::eq(self, &ZH) {
            r.name_zh()
        } else {
            r.name_en()
        }
    }
}
