-- Argo CD health check for bmspower.io/BareMetalPowerAction.
-- Install: add this script under resource.customizations.health.bmspower.io_BareMetalPowerAction
-- in the argocd-cm ConfigMap (see README: "Argo CD").
local hs = {}
if obj.status == nil or obj.status.phase == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator"
  return hs
end
local function condition(t)
  if obj.status.conditions ~= nil then
    for _, c in ipairs(obj.status.conditions) do
      if c.type == t then
        return c
      end
    end
  end
  return nil
end
local phase = obj.status.phase
local progress = obj.status.progress or ""
if phase == "Succeeded" then
  hs.status = "Healthy"
  hs.message = "All servers done (" .. progress .. ")"
elseif phase == "PartiallySucceeded" or phase == "Failed" then
  hs.status = "Degraded"
  local failed = condition("Failed")
  hs.message = phase .. " (" .. progress .. ")"
  if failed ~= nil and failed.message ~= nil then
    hs.message = hs.message .. ": " .. failed.message
  end
elseif phase == "Suspended" then
  hs.status = "Suspended"
  hs.message = "spec.suspend is true (" .. progress .. ")"
else
  local creds = condition("CredentialsValid")
  if creds ~= nil and creds.status == "False" then
    hs.status = "Degraded"
    hs.message = creds.message
  else
    hs.status = "Progressing"
    hs.message = phase .. " (" .. progress .. ")"
  end
end
return hs
