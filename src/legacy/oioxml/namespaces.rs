//! MedCom OIOXML namespaces and the letter VersionCodes each one defines.
//!
//! Facts taken from the public MedCom XSDs (targetNamespace and the fixed VersionCode values of
//! each schema folder); see `../shared/medcom/legacy/DIGEST.md`, "Namespace trap".

/// Every MedCom OIOXML letter namespace with the VersionCodes its schemas fix, oldest first.
/// The prefix is not uniform: 2005/08/07, 2006/07/01, 2007/02/01 and 2009/08/01 live under
/// `http://rep.oio.dk/sundcom.dk/medcom.dk/`, all others under `http://rep.oio.dk/medcom.dk/`.
#[rustfmt::skip]
pub const NAMESPACE_VERSIONS: &[(&str, &[&str])] = &[
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2004/06/01/", &["XA0130Z", "XA0132Z", "XA0133Z", "XB0130X", "XC0130Q", "XC0230Q", "XC0330Q", "XD0133L", "XD0233L", "XD0333L", "XD0533L", "XD1333L", "XD1430C", "XD1431C", "XD1730C", "XD1830C", "XD1930C", "XD2030C", "XD9133L", "XH0130R", "XH0230R", "XI0130D", "XI0230D", "XI0330D", "XI0430D", "XLMS015", "XQ0130K", "XQ0230M", "XQ0330P", "XQ0430M", "XR0130K", "XR0230M", "XR0330P", "XR0430P", "XU0130U", "XU0230U", "XU0330U", "XU0430U", "XU0530U"]),
    ("http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/", &["XA0130Z", "XA0132Z", "XB0130X", "XC0130Q", "XC0230Q", "XC0330Q", "XD0133L", "XD0233L", "XD0333L", "XD0533L", "XD1333L", "XD1430C", "XD1431C", "XD1730C", "XD1830C", "XD1930C", "XD2030C", "XD9133L", "XH0130R", "XH0230R", "XI0001D", "XI0130D", "XI0230D", "XI0330D", "XI0430D", "XLMS015", "XLMS016", "XQ0130K", "XQ0230M", "XQ0330P", "XQ0430M", "XR0130K", "XR0230M", "XR0330P", "XR0430P", "XR6031W", "XU0130U", "XU0230U", "XU0330U", "XU0430U", "XU0530U"]),
    ("http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2006/07/01/", &["XA0130Z", "XA0135Z", "XB0130X", "XC0130Q", "XC0230Q", "XC0330Q", "XD0133L", "XD0233L", "XD0333L", "XD0533L", "XD1333L", "XD1430C", "XD1431C", "XD1730C", "XD1830C", "XD1930C", "XD2030C", "XD9133L", "XD9134L", "XH0130R", "XH0230R", "XI0001D", "XI0130D", "XI0230D", "XI0330D", "XI0430D", "XLMS015", "XLMS016", "XQ0130K", "XQ0131K", "XQ0230M", "XQ0330P", "XQ0430M", "XR0130K", "XR0230M", "XR0330P", "XR0430P", "XR6031W", "XU0130U", "XU0230U", "XU0330U", "XU0430U", "XU0530U"]),
    ("http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2007/02/01/", &["XA0137Z", "XC0130Q", "XC0230Q", "XC0330Q", "XD0633L", "XD0733L", "XD0833L", "XD1033L", "XD1630C", "XD1830C", "XH0630R", "XH0730R", "XH1030R", "XH1230R", "XI0002D", "XR0130K", "XR0230M", "XR0530M"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2008/09/17/", &["XA0138Z", "XD1034L"]),
    ("http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2009/08/01/", &["XA0130Z", "XD1430C", "XD1730C", "XD1830C", "XD1930C", "XD2030C", "XD9034L", "XI0130D", "XI0230D", "XI0330D", "XI0430D", "XQ0130K", "XQ0230M", "XQ0330P", "XR0230M", "XU0130U", "XU0230U", "XU0330U", "XU0430U", "XU0530U"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2010/07/01/", &["XA0138Z", "XA0139Z", "XD1034L", "XU0131U", "XU0231U", "XU0331U", "XU0432U", "XU0631U", "XU0731U", "XU0831U", "XU0931U", "XU1031U", "XU1131U"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2011/02/17/", &["XA0137Z", "XC0130Q", "XC0230Q", "XC0330Q", "XD0633L", "XD0733L", "XD0833L", "XD1033L", "XD1631C", "XD1831C", "XD1931C", "XD2131C", "XD3234L", "XH0630R", "XH0730R", "XH1030R", "XI0002D", "XR0130K", "XR0230M", "XR0530M"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2011/06/15/", &["XA0139Z", "XD0132Z", "XR0531M"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2011/06/20/", &["XA0137Z", "XC0130Q", "XC0230Q", "XC0330Q", "XD0633L", "XD0733L", "XD0833L", "XD1033L", "XD1631C", "XD1831C", "XD1931C", "XD2131C", "XD3234L", "XH0630R", "XH0730R", "XH1030R", "XI0002D", "XMC001A", "XR0130K", "XR0230M", "XR0530M"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2012/03/28/", &["XB0131X", "XR0431P"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2013/09/02/", &["XH0731R"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2013/11/26/", &["XR0630M"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2014/10/08/", &["XA0140Z", "XQ0331P", "XR0130F", "XR0131K", "XR0231M", "XR0331P", "XR0432P", "XR0532M", "XR0730G"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2015/02/16/", &["XU0131U", "XU0231U", "XU0332U", "XU0432U", "XU0631U", "XU0731U", "XU0831U", "XU0931U", "XU1031U", "XU1131U"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2015/08/01/", &["XD9135L", "XH0732R"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2016/04/28/", &["XU0140U", "XU0340U", "XU0440U", "XU0640U", "XU0740U", "XU0840U", "XU1040U", "XU1140U", "XU2140U", "XU2240U", "XU2340U", "XU2440U", "XU2540U", "XU2640U", "XU2740U", "XU2840U", "XU2940U", "XU3040U", "XU3140U", "XU3240U", "XU3340U", "XU3440U", "XU3540U", "XU3640U", "XU3740U"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2016/10/02/", &["XB0210X"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2016/12/01/", &["XA0130Z", "XD1430C", "XD1530L", "XD1730C", "XD1830C", "XD1930C", "XD2030C", "XH1530R", "XI0130D", "XI0230D", "XI0330D", "XI0430D", "XQ0130K", "XQ0230M", "XQ0330P", "XR0230M", "XU0130U", "XU0230U", "XU0330U", "XU0430U", "XU0530U"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2017/02/15/", &["XH1031R"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2017/02/17/", &["XQ0132K"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2017/05/01/", &["XH0131R", "XH0231R"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2017/08/04/", &["XA0137Z", "XC0130Q", "XC0230Q", "XC0330Q", "XD0633L", "XD0733L", "XD0833L", "XD0933L", "XD1033L", "XD1630C", "XD1830C", "XH0630R", "XH0730R", "XH1030R", "XH1230R", "XI0002D", "XR0130K", "XR0230M", "XR0530M"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2018/08/06/", &["XA0130Z", "XC0330Q", "XD0134L", "XD0234L", "XD0334L", "XD1430C", "XD1730C", "XD1830C", "XD1930C", "XD2030C", "XI0130D", "XI0230D", "XI0330D", "XI0430D", "XLMS016", "XQ0130K", "XQ0230M", "XQ0330P", "XR0230M", "XU0130U", "XU0230U", "XU0330U", "XU0430U", "XU0530U"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2019/02/19/", &["XD9135L", "XH0831R"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2019/03/31/", &["XD2230L", "XH2230R"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2019/04/03/", &["XA0130Z", "XA0132Z", "XB0230X", "XC0130Q", "XC0230Q", "XC0330Q", "XD0133L", "XD0233L", "XD0333L", "XD0533L", "XD1333L", "XD1430C", "XD1431C", "XD1730C", "XD1830C", "XD1930C", "XD2030C", "XD9133L", "XH0130R", "XH0230R", "XI0001D", "XI0130D", "XI0230D", "XI0330D", "XI0430D", "XLMS015", "XLMS016", "XQ0130K", "XQ0230M", "XQ0330P", "XQ0430M", "XR0130K", "XR0230M", "XR0330P", "XR0430P", "XR6031W", "XU0130U", "XU0230U", "XU0330U", "XU0430U", "XU0530U"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2019/09/18/", &["XR0631M"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2019/12/01/", &["XD0634L"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2020/03/30/", &["XR0731G"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2020/05/06/", &["XA0130Z", "XC0130Q", "XC0230Q", "XC0330Q", "XD1430C", "XD1531L", "XD1730C", "XD1830C", "XD1930C", "XD2030C", "XH1531R", "XI0130D", "XI0230D", "XI0330D", "XI0430D", "XQ0130K", "XQ0230M", "XQ0330P", "XR0230M", "XU0130U", "XU0230U", "XU0330U", "XU0430U", "XU0530U"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2020/06/15/", &["XD0734L"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2021/06/06/", &["XA0137Z", "XC0130Q", "XC0230Q", "XC0330Q", "XD0633L", "XD0733L", "XD0833L", "XD1033L", "XD1630C", "XD1830C", "XH0630R", "XH0730R", "XH1030R", "XH1231R", "XI0002D", "XR0130K", "XR0230M", "XR0530M"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2021/06/27/", &["XD9135L", "XH0631R", "XH0832R"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2022/03/03/", &["XR0131F"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2023/08/29/", &["XR0632M"]),
];

/// The namespace MedCom's converter writes for a letter version when it does not use the
/// default 2005/08/07 one (`data/configuration.yaml` of MedCom's EDIFACT converter). Versions
/// are the EDIFACT ones (`D9134L`); the OIOXML VersionCode adds an `X` in front.
#[rustfmt::skip]
const CONVERTER_NAMESPACES: &[(&str, &[&str])] = &[
    ("http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2006/07/01/", &["D9134L", "Q0131K"]),
    ("http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2007/02/01/", &["D0633L", "D0733L", "D0833L", "D1033L", "D1630C", "D1830C", "H0630R", "H0730R", "H1230R", "H1030R", "R0130K", "R0230M", "A0137Z"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2008/09/17/", &["A0138Z", "D1034L"]),
    ("http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2009/08/01/", &["D9034L"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2010/07/01/", &["A0139Z", "U0131U", "U0231U", "U0331U", "U0432U", "U0631U", "U0731U", "U0831U", "U1031U", "U1131U"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2011/02/17/", &["D3234L"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2012/03/28/", &["R0431P", "B0131X"]),
    ("http://rep.oio.dk/medcom.dk/xml/schemas/2013/09/02/", &["H0731R"]),
];

/// The namespace of MedCom's converter for everything not listed above.
pub const DEFAULT_NAMESPACE: &str =
    "http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/";

/// Whether `uri` is exactly one of the MedCom OIOXML letter namespaces.
///
/// # Examples
///
/// ```
/// use medcom::legacy::oioxml::is_medcom_namespace;
/// assert!(is_medcom_namespace("http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/"));
/// // The date-built URI with the wrong prefix does not exist.
/// assert!(!is_medcom_namespace("http://rep.oio.dk/medcom.dk/xml/schemas/2005/08/07/"));
/// ```
#[must_use]
pub fn is_medcom_namespace(uri: &str) -> bool {
    NAMESPACE_VERSIONS.iter().any(|(ns, _)| *ns == uri)
}

/// The VersionCodes that the schemas of a namespace define; empty for an unknown namespace.
///
/// # Examples
///
/// ```
/// use medcom::legacy::oioxml::versions_in;
/// assert!(versions_in("http://rep.oio.dk/medcom.dk/xml/schemas/2018/08/06/").contains(&"XD0134L"));
/// ```
#[must_use]
pub fn versions_in(uri: &str) -> &'static [&'static str] {
    NAMESPACE_VERSIONS
        .iter()
        .find(|(ns, _)| *ns == uri)
        .map_or(&[], |(_, v)| *v)
}

/// Whether a namespace defines a VersionCode (the pair MedCom's receivers dispatch on).
///
/// # Examples
///
/// ```
/// use medcom::legacy::oioxml::namespace_defines;
/// assert!(namespace_defines("http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2006/07/01/", "XD9134L"));
/// assert!(!namespace_defines("http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/", "XD9134L"));
/// ```
#[must_use]
pub fn namespace_defines(uri: &str, version_code: &str) -> bool {
    versions_in(uri).contains(&version_code)
}

/// The namespace MedCom's converter uses for an EDIFACT version (`D0133L`) or OIOXML
/// VersionCode (`XD0133L`); the 2005/08/07 default for versions it does not list.
///
/// # Examples
///
/// ```
/// use medcom::legacy::oioxml::converter_namespace;
/// assert_eq!(converter_namespace("D9134L"), "http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2006/07/01/");
/// assert_eq!(converter_namespace("XH0731R"), "http://rep.oio.dk/medcom.dk/xml/schemas/2013/09/02/");
/// assert_eq!(converter_namespace("D0133L"), "http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/");
/// ```
#[must_use]
pub fn converter_namespace(version: &str) -> &'static str {
    let edi = if version.len() == 7 {
        version.strip_prefix('X').unwrap_or(version)
    } else {
        version
    };
    CONVERTER_NAMESPACES
        .iter()
        .find(|(_, v)| v.contains(&edi))
        .map_or(DEFAULT_NAMESPACE, |(ns, _)| *ns)
}
