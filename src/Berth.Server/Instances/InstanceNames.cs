using Berth.Api;

namespace Berth.Server.Instances;

/// <summary>Instance names are host names: letters, digits and hyphens, up to 63, not starting with a digit or hyphen.</summary>
public static class InstanceNames
{
    public static void Validate(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ApiException(400, "Instance name is required");
        }

        if (name.Length > 63)
        {
            throw new ApiException(400, $"Invalid instance name \"{name}\": longer than 63 characters");
        }

        if (!char.IsAsciiLetter(name[0]) || name.EndsWith('-') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw new ApiException(400, $"Invalid instance name \"{name}\": use letters, digits and hyphens, starting with a letter");
        }
    }
}
