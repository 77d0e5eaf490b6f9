//! OCI-P, BroadWorks' provisioning protocol: XML documents over TCP (`tcp://host:port`) or
//! wrapped in SOAP (`https://…`). Only what sign-in needs: a user's login with the
//! nonce-signed password (`LoginRequest14sp4`: the password itself never travels), the user's
//! names and address, and, in the configured admin's session, a user's new password.

use md5::Md5;
use sha1::{Digest, Sha1};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One whole exchange (connect, log in, commands) takes at most this long.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(10);
/// An answer larger than this is not one of the few we ask for.
const MAX_ANSWER: usize = 256 * 1024;
const END_OF_DOCUMENT: &str = "</BroadsoftDocument>";
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Where OCI-P is spoken.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Endpoint {
    Tcp { host: String, port: u16 },
    Soap(url::Url),
}

impl Endpoint {
    /// `tcp://host:port`, or an https (loopback http) SOAP URL; `None` for anything else.
    pub(crate) fn parse(raw: &str) -> Option<Endpoint> {
        let u = url::Url::parse(raw).ok()?;
        match u.scheme() {
            "tcp" => {
                let ok = u.path().is_empty() && u.query().is_none() && u.username().is_empty();
                let host = u.host_str().filter(|_| ok)?;
                Some(Endpoint::Tcp {
                    host: host.trim_matches(['[', ']']).to_string(),
                    port: u.port()?,
                })
            }
            "https" | "http" => crate::settings::outbound_url("ocip_url", raw)
                .ok()
                .map(Endpoint::Soap),
            _ => None,
        }
    }
}

/// BroadWorks could not be asked: connection, timeout, or an answer that is not OCI-P.
#[derive(Debug)]
pub(crate) struct Unreachable(pub String);

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A command's answer: its type and its child elements' text, or BroadWorks' refusal.
#[derive(Debug)]
enum Answer {
    Done {
        kind: String,
        fields: Vec<(String, String)>,
    },
    Refused(String),
}

/// What BroadWorks knows of a user who signed in.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct UserInfo {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
}

/// The password as `LoginRequest14sp4` carries it: MD5 of `nonce:SHA1(password)`, in hex.
pub(crate) fn signed_password(nonce: &str, password: &str) -> String {
    let sha = hex::encode(Sha1::digest(password.as_bytes()));
    hex::encode(Md5::digest(format!("{nonce}:{sha}").as_bytes()))
}

/// Text as XML element content. Characters XML 1.0 cannot carry at all are refused by the
/// callers before (`usable`).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether XML can carry `s` (no control characters) and it is worth sending.
pub(crate) fn usable(s: &str) -> bool {
    !s.is_empty() && s.len() <= 1024 && !s.chars().any(char::is_control)
}

fn document(session_id: &str, command: &str, fields: &[(&str, &str)]) -> String {
    let body: String = fields
        .iter()
        .map(|(k, v)| format!("<{k}>{}</{k}>", escape(v)))
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <BroadsoftDocument protocol=\"OCI\" xmlns=\"C\" xmlns:xsi=\"{XSI}\">\
         <sessionId xmlns=\"\">{}</sessionId>\
         <command xsi:type=\"{command}\" xmlns=\"\">{body}</command></BroadsoftDocument>",
        escape(session_id)
    )
}

fn malformed(what: impl std::fmt::Display) -> Unreachable {
    Unreachable(format!("not an OCI-P answer: {what}"))
}

/// Reads the first command of an OCI-P document.
fn parse_answer(xml: &str) -> Result<Answer, Unreachable> {
    let doc = roxmltree::Document::parse(xml).map_err(malformed)?;
    let command = doc
        .descendants()
        .find(|n| n.has_tag_name("command"))
        .ok_or_else(|| malformed("no command"))?;
    let kind = command
        .attribute((XSI, "type"))
        .map(|t| t.rsplit(':').next().unwrap_or(t).to_string())
        .ok_or_else(|| malformed("a command without its type"))?;
    let fields: Vec<(String, String)> = command
        .children()
        .filter(|n| n.is_element())
        .map(|n| {
            let text = n.text().unwrap_or_default().trim().to_string();
            (n.tag_name().name().to_string(), text)
        })
        .collect();
    if kind == "ErrorResponse" {
        let summary = fields
            .iter()
            .find(|(k, _)| k == "summaryEnglish" || k == "summary")
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| "refused".into());
        return Ok(Answer::Refused(summary));
    }
    Ok(Answer::Done { kind, fields })
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// The SOAP envelope of BroadWorks' web service (`processOCIMessage`, one OCI document in,
/// one out).
fn soap_envelope(document: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">\
         <soapenv:Body><processOCIMessage xmlns=\"urn:com:broadsoft:webservice\">\
         <in0>{}</in0></processOCIMessage></soapenv:Body></soapenv:Envelope>",
        escape(document)
    )
}

fn soap_answer(envelope: &str) -> Result<String, Unreachable> {
    let doc = roxmltree::Document::parse(envelope).map_err(malformed)?;
    doc.descendants()
        .find(|n| n.tag_name().name() == "processOCIMessageReturn")
        .and_then(|n| n.text())
        .map(str::to_string)
        .ok_or_else(|| malformed("no processOCIMessageReturn"))
}

enum Transport {
    Tcp {
        stream: TcpStream,
        buffer: Vec<u8>,
    },
    Soap {
        http: reqwest::Client,
        url: url::Url,
        /// The web service's session cookie, when it sets one.
        cookie: Option<String>,
    },
}

/// One OCI-P session: its id is in every document; over TCP the connection carries it.
struct Session {
    transport: Transport,
    id: String,
}

impl Session {
    async fn open(
        endpoint: &Endpoint,
        http: &reqwest::Client,
        id: String,
    ) -> Result<Session, Unreachable> {
        let transport = match endpoint {
            Endpoint::Tcp { host, port } => Transport::Tcp {
                stream: TcpStream::connect((host.as_str(), *port))
                    .await
                    .map_err(|e| Unreachable(format!("connect {host}:{port}: {e}")))?,
                buffer: Vec::new(),
            },
            Endpoint::Soap(url) => Transport::Soap {
                http: http.clone(),
                url: url.clone(),
                cookie: None,
            },
        };
        Ok(Session { transport, id })
    }

    async fn command(
        &mut self,
        command: &str,
        fields: &[(&str, &str)],
    ) -> Result<Answer, Unreachable> {
        let request = document(&self.id, command, fields);
        let answer = match &mut self.transport {
            Transport::Tcp { stream, buffer } => {
                stream
                    .write_all(format!("{request}\n").as_bytes())
                    .await
                    .map_err(|e| Unreachable(format!("send: {e}")))?;
                read_document(stream, buffer).await?
            }
            Transport::Soap { http, url, cookie } => {
                let mut req = http
                    .post(url.clone())
                    .header("content-type", "text/xml; charset=utf-8")
                    .header("soapaction", "\"\"")
                    .body(soap_envelope(&request));
                if let Some(c) = cookie.as_deref() {
                    req = req.header("cookie", c);
                }
                let res = req
                    .send()
                    .await
                    .map_err(|e| Unreachable(format!("SOAP: {e}")))?;
                if let Some(set) = res
                    .headers()
                    .get("set-cookie")
                    .and_then(|v| v.to_str().ok())
                {
                    *cookie = set.split(';').next().map(str::to_string);
                }
                if !res.status().is_success() {
                    return Err(Unreachable(format!("SOAP answered {}", res.status())));
                }
                let body = res
                    .text()
                    .await
                    .map_err(|e| Unreachable(format!("SOAP: {e}")))?;
                soap_answer(&body)?
            }
        };
        parse_answer(&answer)
    }

    /// `AuthenticationRequest` (the nonce), then `LoginRequest14sp4` with the signed
    /// password. `Ok(false)`: BroadWorks refused the credentials.
    async fn login(&mut self, user: &str, password: &str) -> Result<bool, Unreachable> {
        let nonce = match self
            .command("AuthenticationRequest", &[("userId", user)])
            .await?
        {
            Answer::Refused(_) => return Ok(false),
            Answer::Done { fields, .. } => field(&fields, "nonce")
                .ok_or_else(|| malformed("no nonce"))?
                .to_string(),
        };
        let signed = signed_password(&nonce, password);
        let answer = self
            .command(
                "LoginRequest14sp4",
                &[("userId", user), ("signedPassword", &signed)],
            )
            .await?;
        Ok(matches!(answer, Answer::Done { .. }))
    }

    /// Ends the session; what BroadWorks says to it does not matter any more.
    async fn close(mut self, user: &str) {
        if let Transport::Soap { .. } = self.transport {
            let _ = self.command("LogoutRequest", &[("userId", user)]).await;
        }
        // Over TCP, closing the connection ends the session.
    }
}

/// Reads one document (up to its closing tag) from the connection.
async fn read_document(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
) -> Result<String, Unreachable> {
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = find(buffer, END_OF_DOCUMENT.as_bytes()) {
            let rest = buffer.split_off(end + END_OF_DOCUMENT.len());
            let doc = std::mem::replace(buffer, rest);
            // What separates documents (a newline) is not part of the next one.
            return String::from_utf8(doc)
                .map(|d| d.trim().to_string())
                .map_err(malformed);
        }
        if buffer.len() > MAX_ANSWER {
            return Err(malformed("too large"));
        }
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|e| Unreachable(format!("receive: {e}")))?;
        if n == 0 {
            return Err(Unreachable("the connection was closed".into()));
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

async fn within<T>(work: impl Future<Output = Result<T, Unreachable>>) -> Result<T, Unreachable> {
    tokio::time::timeout(EXCHANGE_TIMEOUT, work)
        .await
        .unwrap_or_else(|_| Err(Unreachable("no answer in time".into())))
}

/// Signs `user` in with `password`: `Some` with what BroadWorks knows of the user when the
/// password is right, `None` when BroadWorks refuses it.
pub(crate) async fn verify_user(
    endpoint: &Endpoint,
    http: &reqwest::Client,
    session_id: String,
    user: &str,
    password: &str,
) -> Result<Option<UserInfo>, Unreachable> {
    within(async {
        let mut session = Session::open(endpoint, http, session_id).await?;
        if !session.login(user, password).await? {
            session.close(user).await;
            return Ok(None);
        }
        // The names and address are a courtesy: a user who may not read them still signs in.
        let info = match session
            .command("UserGetRequest22", &[("userId", user)])
            .await?
        {
            Answer::Done { kind, fields } if kind.starts_with("UserGetResponse") => UserInfo {
                first_name: field(&fields, "firstName").map(str::to_string),
                last_name: field(&fields, "lastName").map(str::to_string),
                email: field(&fields, "emailAddress").map(str::to_string),
            },
            _ => UserInfo::default(),
        };
        session.close(user).await;
        Ok(Some(info))
    })
    .await
}

/// How a password change went: `Err` holds BroadWorks' reason for refusing it.
pub(crate) type Change = Result<(), String>;

/// Sets `user`'s password in the session of the configured admin account.
pub(crate) async fn set_password(
    endpoint: &Endpoint,
    http: &reqwest::Client,
    session_id: String,
    admin: (&str, &str),
    user: &str,
    new_password: &str,
) -> Result<Change, Unreachable> {
    within(async {
        let mut session = Session::open(endpoint, http, session_id).await?;
        if !session.login(admin.0, admin.1).await? {
            session.close(admin.0).await;
            return Err(Unreachable(
                "BroadWorks refused the configured admin account".into(),
            ));
        }
        let answer = session
            .command(
                "UserModifyRequest22",
                &[("userId", user), ("newPassword", new_password)],
            )
            .await?;
        session.close(admin.0).await;
        Ok(match answer {
            Answer::Done { .. } => Ok(()),
            Answer::Refused(why) => Err(why),
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signed_password_is_md5_of_nonce_and_sha1() {
        // SHA1("secret") = e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4
        let expected = hex::encode(Md5::digest(
            b"1234:e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4",
        ));
        assert_eq!(signed_password("1234", "secret"), expected);
    }

    #[test]
    fn values_are_escaped_in_documents() {
        let doc = document("s1", "LoginRequest14sp4", &[("userId", "a<b>&\"c'")]);
        assert!(doc.contains("<userId>a&lt;b&gt;&amp;&quot;c&apos;</userId>"));
        let parsed = roxmltree::Document::parse(&doc).unwrap();
        let user = parsed
            .descendants()
            .find(|n| n.has_tag_name("userId"))
            .unwrap();
        assert_eq!(user.text(), Some("a<b>&\"c'"));
    }

    #[test]
    fn errors_and_answers_are_read() {
        let err = format!(
            "<?xml version=\"1.0\"?><BroadsoftDocument protocol=\"OCI\" xmlns=\"C\" \
             xmlns:xsi=\"{XSI}\"><sessionId xmlns=\"\">s</sessionId><command type=\"Error\" \
             xsi:type=\"c:ErrorResponse\" xmlns:c=\"C\" xmlns=\"\"><summary>[Error 4962] \
             Invalid password</summary></command></BroadsoftDocument>"
        );
        assert!(matches!(parse_answer(&err).unwrap(), Answer::Refused(s) if s.contains("Invalid")));
        let ok = format!(
            "<BroadsoftDocument protocol=\"OCI\" xmlns=\"C\" xmlns:xsi=\"{XSI}\"><command \
             xsi:type=\"AuthenticationResponse\" xmlns=\"\"><userId>u</userId><nonce>42</nonce>\
             </command></BroadsoftDocument>"
        );
        match parse_answer(&ok).unwrap() {
            Answer::Done { kind, fields } => {
                assert_eq!(kind, "AuthenticationResponse");
                assert_eq!(field(&fields, "nonce"), Some("42"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_doctype_is_refused() {
        let evil =
            "<!DOCTYPE x [<!ENTITY a \"b\">]><BroadsoftDocument><command/></BroadsoftDocument>";
        assert!(parse_answer(evil).is_err());
    }

    #[test]
    fn endpoints_parse() {
        assert_eq!(
            Endpoint::parse("tcp://bw.example.com:2208"),
            Some(Endpoint::Tcp {
                host: "bw.example.com".into(),
                port: 2208
            })
        );
        assert!(Endpoint::parse("tcp://bw.example.com").is_none());
        assert!(
            Endpoint::parse("https://bw.example.com/webservice/services/ProvisioningService")
                .is_some()
        );
        assert!(Endpoint::parse("http://bw.example.com/x").is_none());
        assert!(Endpoint::parse("ftp://bw.example.com").is_none());
    }
}
