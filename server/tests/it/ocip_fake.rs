//! A small OCI-P server standing in for BroadWorks, which cannot run here (the project's only
//! fake). It speaks the documented XML of the few requests the server uses, over TCP and
//! over SOAP: `AuthenticationRequest` (a nonce), `LoginRequest14sp4` (checks the signed
//! password MD5(nonce:SHA1(password))), `UserGetRequest22`, `UserModifyRequest22`
//! (`newPassword`, admins only; a password containing "Broad" is refused, as BroadWorks'
//! own password rules would) and `LogoutRequest`. Anything else is an `ErrorResponse`.

use axum::Router;
use axum::routing::post;
use md5::Md5;
use sha1::{Digest, Sha1};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

#[derive(Clone)]
pub struct BwUser {
    pub password: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub admin: bool,
}

#[derive(Default)]
struct Session {
    nonce: Option<(String, String)>,
    user: Option<String>,
}

#[derive(Default)]
struct State {
    users: HashMap<String, BwUser>,
    sessions: HashMap<String, Session>,
    /// Every command's type and fields, in order.
    log: Vec<(String, Vec<(String, String)>)>,
    nonces: u64,
}

#[derive(Clone)]
pub struct OcipFake {
    state: Arc<Mutex<State>>,
    pub tcp_url: String,
    pub soap_url: String,
}

impl OcipFake {
    pub async fn start(users: &[(&str, BwUser)]) -> OcipFake {
        let state = Arc::new(Mutex::new(State {
            users: users
                .iter()
                .map(|(id, u)| (id.to_string(), u.clone()))
                .collect(),
            ..Default::default()
        }));
        let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let tcp_url = format!("tcp://{}", tcp.local_addr().unwrap());
        let st = state.clone();
        tokio::spawn(async move {
            while let Ok((conn, _)) = tcp.accept().await {
                tokio::spawn(serve_connection(conn, st.clone()));
            }
        });
        let http = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let soap_url = format!(
            "http://{}/webservice/services/ProvisioningService",
            http.local_addr().unwrap()
        );
        let st = state.clone();
        let app = Router::new().route(
            "/webservice/services/ProvisioningService",
            post(move |body: String| {
                let st = st.clone();
                async move { soap(&st, &body) }
            }),
        );
        tokio::spawn(async move { axum::serve(http, app).await });
        OcipFake {
            state,
            tcp_url,
            soap_url,
        }
    }

    pub fn password_of(&self, user: &str) -> String {
        self.state.lock().unwrap().users[user].password.clone()
    }

    /// The commands received so far: (type, fields).
    pub fn log(&self) -> Vec<(String, Vec<(String, String)>)> {
        self.state.lock().unwrap().log.clone()
    }
}

pub fn user(password: &str, first: &str, last: &str, email: Option<&str>) -> BwUser {
    BwUser {
        password: password.into(),
        first_name: first.into(),
        last_name: last.into(),
        email: email.map(str::to_string),
        admin: false,
    }
}

async fn serve_connection(mut conn: tokio::net::TcpStream, state: Arc<Mutex<State>>) {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let end = b"</BroadsoftDocument>";
    loop {
        while let Some(pos) = buffer.windows(end.len()).position(|w| w == end) {
            let rest = buffer.split_off(pos + end.len());
            let doc = String::from_utf8(std::mem::replace(&mut buffer, rest)).unwrap();
            let answer = handle(&state, doc.trim());
            if conn
                .write_all(format!("{answer}\n").as_bytes())
                .await
                .is_err()
            {
                return;
            }
        }
        match conn.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn soap(state: &Arc<Mutex<State>>, envelope: &str) -> ([(&'static str, &'static str); 1], String) {
    let doc = roxmltree::Document::parse(envelope).unwrap();
    let inner = doc
        .descendants()
        .find(|n| n.tag_name().name() == "in0")
        .and_then(|n| n.text())
        .unwrap()
        .to_string();
    let answer = handle(state, &inner);
    (
        [("content-type", "text/xml; charset=utf-8")],
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope \
             xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body>\
             <processOCIMessageResponse><processOCIMessageReturn>{}</processOCIMessageReturn>\
             </processOCIMessageResponse></soapenv:Body></soapenv:Envelope>",
            escape(&answer)
        ),
    )
}

fn answer(session: &str, kind: &str, fields: &[(&str, &str)]) -> String {
    let body: String = fields
        .iter()
        .map(|(k, v)| format!("<{k}>{}</{k}>", escape(v)))
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><BroadsoftDocument protocol=\"OCI\" \
         xmlns=\"C\" xmlns:xsi=\"{XSI}\"><sessionId xmlns=\"\">{}</sessionId><command echo=\"\" \
         xsi:type=\"{kind}\" xmlns=\"\">{body}</command></BroadsoftDocument>",
        escape(session)
    )
}

fn error(session: &str, summary: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><BroadsoftDocument protocol=\"OCI\" \
         xmlns=\"C\" xmlns:xsi=\"{XSI}\"><sessionId xmlns=\"\">{}</sessionId><command \
         type=\"Error\" echo=\"\" xsi:type=\"c:ErrorResponse\" xmlns:c=\"C\" xmlns=\"\">\
         <summary>{}</summary><summaryEnglish>{}</summaryEnglish></command></BroadsoftDocument>",
        escape(session),
        escape(summary),
        escape(summary)
    )
}

fn hex_sha1(s: &str) -> String {
    hex::encode(Sha1::digest(s.as_bytes()))
}

fn handle(state: &Arc<Mutex<State>>, xml: &str) -> String {
    let doc = roxmltree::Document::parse(xml).unwrap();
    let session_id = doc
        .descendants()
        .find(|n| n.has_tag_name("sessionId"))
        .and_then(|n| n.text())
        .unwrap_or_default()
        .to_string();
    let command = doc
        .descendants()
        .find(|n| n.has_tag_name("command"))
        .unwrap();
    let kind = command.attribute((XSI, "type")).unwrap().to_string();
    let fields: Vec<(String, String)> = command
        .children()
        .filter(|n| n.is_element())
        .map(|n| {
            (
                n.tag_name().name().to_string(),
                n.text().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut st = state.lock().unwrap();
    st.log.push((kind.clone(), fields.clone()));
    st.nonces += 1;
    let fresh_nonce = format!("{}", 1_000_000 + st.nonces);
    let logged_in = st.sessions.get(&session_id).and_then(|s| s.user.clone());
    match kind.as_str() {
        "AuthenticationRequest" => {
            let user = get("userId");
            st.sessions.entry(session_id.clone()).or_default().nonce =
                Some((user.clone(), fresh_nonce.clone()));
            answer(
                &session_id,
                "AuthenticationResponse",
                &[
                    ("userId", &user),
                    ("nonce", &fresh_nonce),
                    ("passwordAlgorithm", "MD5"),
                ],
            )
        }
        "LoginRequest14sp4" => {
            let user = get("userId");
            let nonce = st
                .sessions
                .get_mut(&session_id)
                .and_then(|s| s.nonce.take())
                .filter(|(u, _)| *u == user);
            let expected = match (nonce, st.users.get(&user)) {
                (Some((_, nonce)), Some(u)) => Some(hex::encode(Md5::digest(
                    format!("{nonce}:{}", hex_sha1(&u.password)).as_bytes(),
                ))),
                _ => None,
            };
            if expected.is_some_and(|e| e == get("signedPassword")) {
                st.sessions.entry(session_id.clone()).or_default().user = Some(user.clone());
                let login_type = if st.users[&user].admin {
                    "System"
                } else {
                    "User"
                };
                answer(
                    &session_id,
                    "LoginResponse14sp4",
                    &[
                        ("loginType", login_type),
                        ("locale", "en_US"),
                        ("encoding", "ISO-8859-1"),
                        ("isEnterprise", "false"),
                        ("userDomain", "example.com"),
                    ],
                )
            } else {
                error(&session_id, "[Error 4962] Invalid password")
            }
        }
        "UserGetRequest22" => {
            let target = get("userId");
            let allowed = logged_in
                .as_ref()
                .is_some_and(|me| *me == target || st.users[me].admin);
            match st.users.get(&target).filter(|_| allowed) {
                Some(u) => {
                    let mut f = vec![
                        ("serviceProviderId", "sp1".to_string()),
                        ("groupId", "g1".to_string()),
                        ("lastName", u.last_name.clone()),
                        ("firstName", u.first_name.clone()),
                        ("language", "English".to_string()),
                    ];
                    if let Some(e) = &u.email {
                        f.push(("emailAddress", e.clone()));
                    }
                    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    answer(&session_id, "UserGetResponse22", &f)
                }
                None => error(&session_id, "[Error 4008] User not found"),
            }
        }
        "UserModifyRequest22" => {
            let target = get("userId");
            let admin = logged_in.as_ref().is_some_and(|me| st.users[me].admin);
            let new = get("newPassword");
            if !admin {
                error(&session_id, "[Error 4001] Not authorized")
            } else if new.contains("Broad") {
                error(
                    &session_id,
                    "[Error 4201] The password may not contain Broad",
                )
            } else if let Some(u) = st.users.get_mut(&target) {
                u.password = new;
                answer(&session_id, "c:SuccessResponse", &[])
            } else {
                error(&session_id, "[Error 4008] User not found")
            }
        }
        "LogoutRequest" => {
            st.sessions.remove(&session_id);
            answer(&session_id, "c:SuccessResponse", &[])
        }
        other => error(&session_id, &format!("unsupported {other}")),
    }
}
