// MARK: - Text

extension SVGPlot {
  /// `text` escaped for XML character data and attribute values. Characters XML 1.0 forbids (control
  /// characters other than tab and line breaks, U+FFFE, U+FFFF) become U+FFFD.
  static func escaped(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
      default:
        let v = scalar.value
        let allowed = (0x20...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v) || v >= 0x10000
        out.unicodeScalars.append(allowed ? scalar : "\u{FFFD}")
      }
    }
    return out
  }

  /// `text`, shortened with a trailing ellipsis when its estimated width exceeds `width`.
  static func truncated(_ text: String, toWidth width: Double, size: Double, bold: Bool = false) -> String {
    guard textWidth(text, size: size, bold: bold) > width else { return text }
    var kept = ""
    for character in text {
      if textWidth(kept + String(character) + "…", size: size, bold: bold) > width { break }
      kept.append(character)
    }
    return kept + "…"
  }

  /// An estimate of the width of `text` in a sans-serif font of `size` pixels (wider than most, so that text
  /// placed by it does not collide).
  static func textWidth(_ text: String, size: Double, bold: Bool = false) -> Double {
    var ems = 0.0
    for scalar in text.unicodeScalars {
      switch scalar {
      case "i", "j", "l", ".", ",", ":", ";", "|", "!", "'", "I", "(", ")", "[", "]", "-": ems += 0.34
      case " ", "f", "t", "r": ems += 0.4
      case "m", "w", "M", "W", "@", "%": ems += 0.92
      case "A"..."Z": ems += 0.7
      case "0"..."9": ems += 0.64
      default: ems += scalar.value >= 0x1100 ? 1.0 : 0.6
      }
    }
    return ems * size * (bold ? 1.15 : 1)
  }
}
