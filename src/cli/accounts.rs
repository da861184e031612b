//! `gridatlas user add|list|remove|passwd` and `gridatlas audit`, and signing in for the
//! commands that take `--user NAME`: the passphrase comes from `GRIDATLAS_PASSPHRASE`, else it
//! is asked on the terminal (not echoed). A new account's passphrase comes from
//! `GRIDATLAS_NEW_PASSPHRASE`, else it is asked twice.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde_json::json;

use crate::cli::Reply;
use crate::model::{Permission, Role, Timestamp};
use crate::store::{self, SignedIn};

/// The passphrase of the account signing in.
pub const PASSPHRASE_VAR: &str = "GRIDATLAS_PASSPHRASE";
/// The passphrase of an account being created or changed.
pub const NEW_PASSPHRASE_VAR: &str = "GRIDATLAS_NEW_PASSPHRASE";

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add an account. The first account of a document is an admin and needs no --user: it
    /// encrypts every household's and worker's personal data (one transaction), with the
    /// passphrase from GRIDATLAS_PASSPHRASE. Later accounts are added by an admin (--user),
    /// their passphrase from GRIDATLAS_NEW_PASSPHRASE.
    Add {
        file: PathBuf,
        #[arg(long)]
        name: String,
        /// admin, planner, operator, leader or grid_worker (管理员, 规划员, 操作员, 领导, 网格员).
        #[arg(long)]
        role: String,
        /// The grid (its code) a grid worker is confined to.
        #[arg(long)]
        scope: Option<String>,
        /// The admin adding the account.
        #[arg(long)]
        user: Option<String>,
    },
    /// List the accounts (an admin's right).
    List {
        file: PathBuf,
        #[arg(long)]
        user: String,
    },
    /// Remove an account and its key slot (never the last admin).
    Remove {
        file: PathBuf,
        #[arg(long)]
        name: String,
        #[arg(long)]
        user: String,
    },
    /// Change a passphrase (your own, or anyone's as an admin): GRIDATLAS_PASSPHRASE signs
    /// --user in, GRIDATLAS_NEW_PASSPHRASE is the new one.
    Passwd {
        file: PathBuf,
        /// Whose passphrase (default: --user's own).
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        user: String,
    },
}

/// A passphrase from `var`, else asked on the terminal.
fn passphrase_from(var: &str, prompt: &str) -> anyhow::Result<String> {
    if let Ok(p) = std::env::var(var) {
        return Ok(p);
    }
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        anyhow::bail!("{prompt}: set {var} (no terminal to ask on)");
    }
    Ok(rpassword::prompt_password(format!("{prompt}: "))?)
}

/// A new passphrase: from `var`, else asked twice.
fn new_passphrase(var: &str, whose: &str) -> anyhow::Result<String> {
    if let Ok(p) = std::env::var(var) {
        return Ok(p);
    }
    let first = passphrase_from(var, &format!("new passphrase for {whose}"))?;
    let again = passphrase_from(var, &format!("the same passphrase again for {whose}"))?;
    if first != again {
        anyhow::bail!("the two passphrases for {whose} differ; nothing was changed");
    }
    Ok(first)
}

/// The first admin's passphrase (`new --admin`, or the first `user add`): from
/// `GRIDATLAS_PASSPHRASE`, else asked twice.
pub fn first_passphrase(name: &str) -> anyhow::Result<String> {
    new_passphrase(PASSPHRASE_VAR, name)
}

/// Signs `user` in (passphrase from the environment or the terminal); the sign-in is logged.
pub fn sign_in(file: &Path, user: &str) -> anyhow::Result<SignedIn> {
    let passphrase = passphrase_from(PASSPHRASE_VAR, &format!("passphrase for {user}"))?;
    Ok(store::sign_in(file, user, &passphrase, Timestamp::now())?)
}

/// Signs in when `--user` is given; refuses when the document has accounts and none is.
pub fn sign_in_if_needed(
    file: &Path,
    user: Option<&str>,
    what: &str,
) -> anyhow::Result<Option<SignedIn>> {
    match user {
        Some(u) => sign_in(file, u).map(Some),
        None if store::has_accounts(file)? => anyhow::bail!(
            "{}: the document has accounts and its personal data is encrypted: {what} needs --user NAME (passphrase in {PASSPHRASE_VAR})",
            crate::store::server::location_name(file)
        ),
        None => Ok(None),
    }
}

/// For a command that changes the document: once the document has accounts it needs `--user`
/// with a role that may do `p`; without accounts anyone may, as before.
pub fn authorize(
    file: &Path,
    user: Option<&str>,
    p: Permission,
    what: &str,
) -> anyhow::Result<Option<SignedIn>> {
    let who = sign_in_if_needed(file, user, what)?;
    require(who.as_ref(), p, what)?;
    Ok(who)
}

/// Refuses unless `who` (when signed in) may do `p`.
pub fn require(who: Option<&SignedIn>, p: Permission, what: &str) -> anyhow::Result<()> {
    if let Some(s) = who
        && !s.account.role.may(p)
    {
        anyhow::bail!(
            "{} is a {} ({}) and may not {what}; nothing was done",
            s.account.name,
            s.account.role.name_en(),
            s.account.role.name_zh()
        );
    }
    Ok(())
}

fn role_named(text: &str) -> anyhow::Result<Role> {
    Role::from_code(text).ok_or_else(|| {
        anyhow::anyhow!(
            "--role {text}: choose admin, planner, operator, leader or grid_worker (管理员, 规划员, 操作员, 领导, 网格员)"
        )
    })
}

pub(super) fn user(command: UserCommand) -> anyhow::Result<Reply> {
    let now = Timestamp::now();
    match command {
        UserCommand::Add {
            file,
            name,
            role,
            scope,
            user,
        } => {
            let role = role_named(&role)?;
            if !store::has_accounts(&file)? {
                if role != Role::Admin {
                    anyhow::bail!(
                        "{}: the first account must be an admin (--role admin); nothing was changed",
                        crate::store::server::location_name(&file)
                    );
                }
                let passphrase = first_passphrase(&name)?;
                let report = store::create_first_admin(
                    &file,
                    &name,
                    &passphrase,
                    now,
                    store::KeySource::Random,
                )?;
                return Ok(Reply::ok(json!({
                    "added": name,
                    "role": role.code(),
                    "encrypted": report,
                    "cipher": store::CIPHER,
                })));
            }
            let Some(user) = user else {
                anyhow::bail!(
                    "{}: accounts are added by an admin: pass --user ADMIN (passphrase in {PASSPHRASE_VAR})",
                    crate::store::server::location_name(&file)
                );
            };
            let by = sign_in(&file, &user)?;
            let passphrase = new_passphrase(NEW_PASSPHRASE_VAR, &name)?;
            let account =
                store::add_account(&file, &by, &name, role, scope.as_deref(), &passphrase, now)?;
            Ok(Reply::ok(json!({ "added": account })))
        }
        UserCommand::List { file, user } => {
            let by = sign_in(&file, &user)?;
            require(Some(&by), Permission::ManageAccounts, "list accounts")?;
            Ok(Reply::ok(
                json!({ "accounts": store::list_accounts(&file)? }),
            ))
        }
        UserCommand::Remove { file, name, user } => {
            let by = sign_in(&file, &user)?;
            store::remove_account(&file, &by, &name, now)?;
            Ok(Reply::ok(json!({ "removed": name })))
        }
        UserCommand::Passwd { file, name, user } => {
            let by = sign_in(&file, &user)?;
            let name = name.unwrap_or_else(|| user.clone());
            let passphrase = new_passphrase(NEW_PASSPHRASE_VAR, &name)?;
            store::change_passphrase(&file, &by, &name, &passphrase, now)?;
            Ok(Reply::ok(json!({ "changed": name })))
        }
    }
}

/// `gridatlas audit FILE [--from --to] [--verify]`: the entries, the head, and with
/// `--verify` every finding (exit 1 when there is any).
pub(super) fn audit(
    file: PathBuf,
    from: Option<String>,
    to: Option<String>,
    verify: bool,
) -> anyhow::Result<Reply> {
    // Dates are the document's local days, as everywhere.
    let zone = match store::read_meta_value(&file, "time_zone")? {
        Some(name) => crate::model::TimeZone::named(&name).map_err(|e| {
            anyhow::anyhow!(
                "{}: time_zone: {e}",
                crate::store::server::location_name(&file)
            )
        })?,
        None => crate::model::TimeZone::beijing(),
    };
    let bound = |t: Option<String>, flag: &str| {
        t.map(|t| {
            zone.parse(&t)
                .map_err(|e| anyhow::anyhow!("--{flag} {t}: {e}"))
        })
        .transpose()
    };
    let (from, to) = (bound(from, "from")?, bound(to, "to")?);
    let entries = store::audit::list(&file, from, to)?;
    let head = store::audit::head(&file)?;
    let mut json = json!({
        "entries": entries,
        "head": head.map(|(seq, hash)| json!({ "seq": seq, "hash": hash })),
    });
    if !verify {
        return Ok(Reply::ok(json));
    }
    let findings = store::audit::verify(&file)?;
    let stderr: Vec<String> = findings
        .iter()
        .map(|f| {
            format!(
                "{}: audit entry {}: {}",
                crate::store::server::location_name(&file),
                f.seq,
                f.message
            )
        })
        .collect();
    json["verified"] = json!(findings.is_empty());
    json["findings"] = json!(findings);
    Ok(Reply {
        json,
        code: i32::from(!findings.is_empty()),
        stderr,
    })
}
