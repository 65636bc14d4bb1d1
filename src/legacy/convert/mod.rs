//! Conversion between EDIFACT and OIOXML.
