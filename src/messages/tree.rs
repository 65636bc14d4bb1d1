//! Small helpers to build a [`Document`] from owned values and to read typed values back.

use std::borrow::Cow;

use crate::model::{Document, Node, NodeId, Type};

use super::BuildError;

/// A document under construction; every value is owned.
#[derive(Debug)]
pub(crate) struct Tree {
    pub(crate) doc: Document<'static>,
}

fn ty(name: &'static str) -> Result<Type, BuildError> {
    Type::by_name(name).ok_or(BuildError::Internal {
        detail: "unknown FHIR type",
    })
}

impl Tree {
    pub(crate) fn new(resource: &'static str) -> Result<Self, BuildError> {
        let t = Type::resource(resource).ok_or(BuildError::Internal {
            detail: "unknown resource type",
        })?;
        Ok(Self {
            doc: Document::new(t),
        })
    }

    pub(crate) fn root(&self) -> NodeId {
        self.doc.root().id()
    }

    /// A complex child whose type follows from the element.
    pub(crate) fn group(&mut self, parent: NodeId, name: &str) -> Result<NodeId, BuildError> {
        Ok(self.doc.append(parent, name, None, None)?)
    }

    /// A child of an explicit type (choices, `Reference`, `Coding` under `value[x]`).
    pub(crate) fn typed(
        &mut self,
        parent: NodeId,
        name: &str,
        t: &'static str,
    ) -> Result<NodeId, BuildError> {
        Ok(self.doc.append(parent, name, Some(ty(t)?), None)?)
    }

    /// A primitive child.
    pub(crate) fn val(
        &mut self,
        parent: NodeId,
        name: &str,
        value: &str,
    ) -> Result<NodeId, BuildError> {
        Ok(self.doc.append_value(parent, name, value.to_owned())?)
    }

    /// A primitive child, when there is a value.
    pub(crate) fn opt(
        &mut self,
        parent: NodeId,
        name: &str,
        value: Option<&str>,
    ) -> Result<(), BuildError> {
        if let Some(v) = value {
            self.val(parent, name, v)?;
        }
        Ok(())
    }

    /// A primitive child of a choice type (`occurredDateTime`, `valueBoolean`).
    pub(crate) fn typed_val(
        &mut self,
        parent: NodeId,
        name: &str,
        t: &'static str,
        value: &str,
    ) -> Result<NodeId, BuildError> {
        Ok(self.doc.append(
            parent,
            name,
            Some(ty(t)?),
            Some(Cow::Owned(value.to_owned())),
        )?)
    }

    pub(crate) fn reference(
        &mut self,
        parent: NodeId,
        name: &str,
        to: &str,
    ) -> Result<NodeId, BuildError> {
        let r = self.typed(parent, name, "Reference")?;
        self.val(r, "reference", to)?;
        Ok(r)
    }

    pub(crate) fn coding(
        &mut self,
        parent: NodeId,
        name: &str,
        system: &str,
        code: &str,
    ) -> Result<NodeId, BuildError> {
        let c = self.typed(parent, name, "Coding")?;
        self.val(c, "system", system)?;
        self.val(c, "code", code)?;
        Ok(c)
    }

    /// A CodeableConcept with one coding.
    pub(crate) fn concept(
        &mut self,
        parent: NodeId,
        name: &str,
        system: &str,
        code: &str,
    ) -> Result<NodeId, BuildError> {
        let cc = self.typed(parent, name, "CodeableConcept")?;
        self.coding(cc, "coding", system, code)?;
        Ok(cc)
    }

    /// An extension with a url; the caller adds the value.
    pub(crate) fn extension(&mut self, parent: NodeId, url: &str) -> Result<NodeId, BuildError> {
        let e = self.group(parent, "extension")?;
        self.val(e, "url", url)?;
        Ok(e)
    }

    pub(crate) fn profile(&mut self, resource: NodeId, profile: &str) -> Result<(), BuildError> {
        let meta = self.group(resource, "meta")?;
        self.val(meta, "profile", profile)?;
        Ok(())
    }

    /// Copies a subtree (from any document) under `parent`.
    #[allow(dead_code)] // for standards that carry received resources over verbatim
    pub(crate) fn copy(
        &mut self,
        parent: NodeId,
        src: Node<'_, '_>,
        depth: usize,
    ) -> Result<NodeId, BuildError> {
        if depth > 64 {
            return Err(BuildError::Internal {
                detail: "element nested too deeply",
            });
        }
        let id = self.doc.append(
            parent,
            src.name(),
            Some(src.ty()),
            src.value().map(|v| Cow::Owned(v.to_owned())),
        )?;
        for c in src.children() {
            self.copy(id, c, depth + 1)?;
        }
        Ok(id)
    }
}

/// Reading helpers over a node.
pub(crate) fn text<'d>(node: Node<'d, '_>, path: &[&str]) -> Option<&'d str> {
    let mut n = node;
    for name in path {
        n = n.child(name)?;
    }
    n.value()
}

/// The extensions of `node` with that url.
pub(crate) fn extensions<'d, 'a>(
    node: Node<'d, 'a>,
    url: &'d str,
) -> impl Iterator<Item = Node<'d, 'a>> + 'd
where
    'a: 'd,
{
    node.children_named("extension")
        .filter(move |e| e.child_value("url") == Some(url))
}

/// The first extension with that url.
pub(crate) fn extension<'d, 'a>(node: Node<'d, 'a>, url: &'d str) -> Option<Node<'d, 'a>>
where
    'a: 'd,
{
    extensions(node, url).next()
}
