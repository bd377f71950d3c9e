namespace GitOps.Orchestrations.Core.Policies;

/// <summary>The anchors Kyverno documents for pattern and patch keys.</summary>
public enum Anchor
{
    None,

    /// <summary><c>(key)</c>: the rest of the map is checked only where this holds.</summary>
    Conditional,

    /// <summary><c>=(key)</c>: checked only where the field is present.</summary>
    Equality,

    /// <summary><c>X(key)</c>: the field must be absent.</summary>
    Negation,

    /// <summary><c>^(key)</c>: at least one element of the list matches.</summary>
    Existence,

    /// <summary><c>&lt;(key)</c>: where this does not hold, the whole rule is skipped.</summary>
    Global,

    /// <summary><c>+(key)</c>, in a patch: set only where the field is absent.</summary>
    AddIfAbsent,
}

/// <summary>A pattern key: its anchor and the field it names.</summary>
public readonly record struct PatternKey(Anchor Anchor, string Field)
{
    /// <summary>Reads <c>(f)</c>, <c>=(f)</c>, <c>X(f)</c>, <c>^(f)</c>, <c>&lt;(f)</c> and <c>+(f)</c>; any other key is a plain field.</summary>
    public static PatternKey Parse(string key)
    {
        if (key.Length >= 3 && key[0] == '(' && key[^1] == ')')
        {
            return new(Anchor.Conditional, key[1..^1]);
        }

        if (key.Length >= 4 && key[1] == '(' && key[^1] == ')')
        {
            Anchor anchor = key[0] switch
            {
                '=' => Anchor.Equality,
                'X' => Anchor.Negation,
                '^' => Anchor.Existence,
                '<' => Anchor.Global,
                '+' => Anchor.AddIfAbsent,
                _ => Anchor.None,
            };
            if (anchor != Anchor.None)
            {
                return new(anchor, key[2..^1]);
            }
        }

        return new(Anchor.None, key);
    }

    /// <summary>Why a key that looks like an anchor is not one (an unclosed or empty parenthesis), or null.</summary>
    public static string? Problem(string key)
    {
        bool opens = key.StartsWith('(') || (key.Length >= 2 && key[1] == '(' && "=X^<+".Contains(key[0], StringComparison.Ordinal));
        return opens && Parse(key).Anchor == Anchor.None
            ? $"'{key}' opens an anchor but does not close it: anchors are written (f), =(f), X(f), ^(f), <(f) or +(f)"
            : opens && Parse(key).Field.Length == 0 ? $"anchor '{key}' names no field" : null;
    }
}
